// Waiting for a lock held by another process is polling; a cancelled run must stop waiting at once.
import { CancelledError } from "../errors.js";

// Sleep `ms`, or reject with a CancelledError naming `what` as soon as `signal` aborts.
export function abortableSleep(ms: number, signal: AbortSignal, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => new CancelledError(`cancelled while waiting for ${what}`);
    if (signal.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
