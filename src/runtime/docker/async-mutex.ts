// LOCKED cache volumes admit one exec at a time within this process; a promise chain is the whole lock.
import { CancelledError } from "../../errors.js";

export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  // Wait for every earlier holder, then hold the lock until the returned release is called.
  async lock(signal?: AbortSignal, what = "a lock"): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => mine);
    if (!signal) {
      await previous;
      return release;
    }
    try {
      await abortable(previous, signal, what);
    } catch (err) {
      // Give our turn away once it comes, so later waiters are not stuck behind a cancelled one.
      void previous.then(release);
      throw err;
    }
    return release;
  }
}

// Resolve with `p`, or reject with CancelledError as soon as the signal aborts.
function abortable(p: Promise<void>, signal: AbortSignal, what: string): Promise<void> {
  if (signal.aborted)
    return Promise.reject(new CancelledError(`stopped waiting for ${what}: run cancelled`));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new CancelledError(`stopped waiting for ${what}: run cancelled`));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
