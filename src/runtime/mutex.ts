// LOCKED cache volumes admit one exec at a time, on both runtimes; a cancelled waiter must not hold up the others.
import { CancelledError } from "../errors.js";

/** A first-come first-served lock whose waiting can be abandoned through an AbortSignal. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Wait for the lock; resolves to the function that releases it. */
  async lock(signal: AbortSignal, what: string): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => mine);
    try {
      await abortable(previous, signal, what);
    } catch (e) {
      // Our turn still comes after the previous holder; hand it straight on.
      void previous.then(release);
      throw e;
    }
    return release;
  }
}

/** Await `promise` unless `signal` aborts first; then reject with a CancelledError naming `what`. */
export async function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  what: string,
): Promise<T> {
  if (signal.aborted) throw new CancelledError(`cancelled while waiting for ${what}`);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CancelledError(`cancelled while waiting for ${what}`));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
