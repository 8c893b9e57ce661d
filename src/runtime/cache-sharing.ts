// One policy for cache volumes' sharing modes, for every runtime: SHARED is used by all at once, LOCKED by one at a
// time, PRIVATE by one at a time with later users given a copy of their own (reused within the run once free).
import type { CacheSharing } from "./runtime.js";
import { Mutex } from "./mutex.js";
import { acquireFileLock, tryFileLock, type ReleaseLock } from "../store/file-lock.js";

/** How a runtime makes what the policy hands out (`H`: a docker volume name, a host directory). */
export interface CacheBacking<H> {
  /** The cache volume itself, created if missing; `fresh` when this call created it. */
  open(): Promise<{ handle: H; fresh: boolean }>;
  /** A new copy of the volume's seed for one PRIVATE user, removed with the run. */
  copy(): Promise<H>;
}

/** A volume (or copy) one exec holds; release it when the exec ends. */
export interface CacheUse<H> {
  handle: H;
  /** Created for this use: a runtime seeds it from the cache's source tree. */
  fresh: boolean;
  release(): void;
}

export interface CrossProcessOptions {
  /**
   * The lock file standing for `volume` among every process that shares the state dir: LOCKED waits for it,
   * PRIVATE takes it if free (else makes a copy). Without it, the modes hold within this process only.
   */
  lockFile?: (volume: string) => string;
}

/** Per runtime instance (one run): locks, use counts and idle copies are never module-wide. */
export class CacheSharingPolicy<H> {
  private readonly locks = new Map<string, Mutex>();
  private readonly inUse = new Map<string, number>();
  private readonly idleCopies = new Map<string, H[]>();

  constructor(private readonly opts: CrossProcessOptions = {}) {}

  /** Take `volume` for one exec under `sharing`; LOCKED waits (abortably) for the previous holder. */
  async acquire(
    volume: string,
    sharing: CacheSharing,
    signal: AbortSignal,
    backing: CacheBacking<H>,
  ): Promise<CacheUse<H>> {
    let unlock = (): void => undefined;
    let crossProcess: ReleaseLock | undefined;
    const what = `cache volume "${volume}" (LOCKED)`;
    const lockFile = this.opts.lockFile?.(volume);
    if (sharing === "LOCKED") {
      unlock = await this.lockFor(volume).lock(signal, what);
      if (lockFile)
        crossProcess = await acquireFileLock(lockFile, signal, what).catch(unlockAnd(unlock));
    }
    // Decide and count before any await, so two PRIVATE execs starting together never share.
    let copy = sharing === "PRIVATE" && (this.inUse.get(volume) ?? 0) > 0;
    if (!copy) this.inUse.set(volume, (this.inUse.get(volume) ?? 0) + 1);
    if (sharing === "PRIVATE" && !copy && lockFile) {
      // free here, but another process may be using it: then this one gets a copy too
      crossProcess = await tryFileLock(lockFile);
      if (!crossProcess) {
        this.inUse.set(volume, (this.inUse.get(volume) ?? 1) - 1);
        copy = true;
      }
    }
    let handle: H | undefined = copy ? this.idleCopies.get(volume)?.pop() : undefined;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (!copy) this.inUse.set(volume, (this.inUse.get(volume) ?? 1) - 1);
      else if (handle !== undefined)
        this.idleCopies.set(volume, [...(this.idleCopies.get(volume) ?? []), handle]);
      void crossProcess?.();
      unlock();
    };
    try {
      if (!copy) {
        const opened = await backing.open();
        handle = opened.handle;
        return { handle, fresh: opened.fresh, release };
      }
      if (handle !== undefined) return { handle, fresh: false, release };
      handle = await backing.copy();
      return { handle, fresh: true, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  // One mutex per volume, made on first use.
  private lockFor(volume: string): Mutex {
    let lock = this.locks.get(volume);
    if (!lock) this.locks.set(volume, (lock = new Mutex()));
    return lock;
  }
}

// A failed cross-process wait gives the in-process lock back before the error goes on.
function unlockAnd(unlock: () => void): (err: unknown) => never {
  return (err) => {
    unlock();
    throw err;
  };
}
