// Filesystem work over thousands of files must overlap, but unbounded fan-out exhausts file descriptors.

/** A function that runs `task` once fewer than `concurrency` tasks given to it are running. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/** Make a limiter; only leaf operations should go through it, never a task that waits on the same limiter. */
export function createLimit(concurrency: number): Limit {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    active--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
