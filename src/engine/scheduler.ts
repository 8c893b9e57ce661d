// Bounded parallelism and single-flight: how many execs run at once, and identical work done once.

/** A counting semaphore: `use(fn)` waits for a permit, runs fn, gives the permit back. */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1)
      throw new TypeError(`permits must be a positive integer, got ${permits}`);
    this.available = permits;
  }

  async use<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.available++;
  }
}

/** Identical keys requested while one is in flight share its promise; results are memoized for the run. */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  run(key: string, fn: () => Promise<T>): Promise<T> {
    const existing = this.flights.get(key);
    if (existing) return existing;
    const p = fn();
    this.flights.set(key, p);
    // A failure is not remembered: a later request (e.g. after a fix in a watch loop) tries again.
    p.catch(() => this.flights.delete(key));
    return p;
  }

  /** The flight under `key`, if one started and has not failed. */
  peek(key: string): Promise<T> | undefined {
    return this.flights.get(key);
  }

  /** Forget `key`, so the next run() starts afresh (a service that was stopped). */
  forget(key: string): void {
    this.flights.delete(key);
  }
}
