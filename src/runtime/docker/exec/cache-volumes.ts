// Cache mounts are named volumes that outlive runs; sharing modes decide who may use one at the same time.
import { createHash } from "node:crypto";
import type { CacheSharing } from "../../runtime.js";
import { Mutex } from "../../mutex.js";
import { isNotFound } from "../connection/docker-errors.js";
import { LABELS } from "../cleanup/labels.js";
import type { DockerRunContext } from "../connection/run-context.js";

export interface AcquiredVolume {
  volume: string;
  /** Created just now: the cache's `source` tree, if any, must be copied in. */
  fresh: boolean;
  release(): void;
}

// Docker volume names allow [a-zA-Z0-9_.-]; anything else is replaced, with a hash so two names never meet.
export function cacheVolumeName(cache: string): string {
  const safe = cache.replace(/[^a-zA-Z0-9_.-]/g, "-");
  if (safe === cache && cache !== "") return `gantry-cache-${cache}`;
  const hash = createHash("sha256").update(cache).digest("hex").slice(0, 8);
  return `gantry-cache-${safe}-${hash}`;
}

/** One per runtime: locks, in-use counts and PRIVATE copies are per process, never module-wide. */
export class CacheVolumes {
  private readonly locks = new Map<string, Mutex>();
  private readonly inUse = new Map<string, number>();
  /** PRIVATE copies made by this run that no exec holds right now, by cache volume. */
  private readonly idleCopies = new Map<string, string[]>();
  private copies = 0;

  constructor(private readonly ctx: DockerRunContext) {}

  // SHARED: use it; LOCKED: wait for the lock; PRIVATE: use it if free, else a copy of this run's own.
  async acquire(
    cache: string,
    sharing: CacheSharing,
    signal: AbortSignal,
  ): Promise<AcquiredVolume> {
    const name = cacheVolumeName(cache);
    let unlock = () => {};
    if (sharing === "LOCKED")
      unlock = await this.lockFor(name).lock(signal, `cache volume ${cache}`);
    // Decide and count the use before any await, so two PRIVATE execs starting together never share.
    const copy = sharing === "PRIVATE" && (this.inUse.get(name) ?? 0) > 0;
    const idle = copy ? this.idleCopies.get(name)?.pop() : undefined;
    let volume = copy ? idle : name;
    if (volume) this.inUse.set(volume, (this.inUse.get(volume) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (volume) this.inUse.set(volume, (this.inUse.get(volume) ?? 1) - 1);
      if (volume && volume !== name) {
        this.idleCopies.set(name, [...(this.idleCopies.get(name) ?? []), volume]);
      }
      unlock();
    };
    try {
      let fresh = false;
      if (!copy) {
        fresh = await this.ensureVolume(name, { [LABELS.managed]: "true", [LABELS.cache]: cache });
      } else if (!volume) {
        volume = await this.createCopy(cache, name);
        this.inUse.set(volume, 1);
        fresh = true;
      }
      return { volume: volume ?? name, fresh, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  // One mutex per volume name, made on first use.
  private lockFor(name: string): Mutex {
    let lock = this.locks.get(name);
    if (!lock) this.locks.set(name, (lock = new Mutex()));
    return lock;
  }

  // A PRIVATE copy: labelled with the run (and temporary), so close() removes it.
  private async createCopy(cache: string, name: string): Promise<string> {
    const volume = `${name}-${this.ctx.runId}-${++this.copies}`.slice(0, 255);
    await this.ensureVolume(volume, {
      ...this.ctx.labels,
      [LABELS.temp]: "true",
      [LABELS.cache]: cache,
    });
    return volume;
  }

  // Create the volume if missing; true when this call created it.
  private async ensureVolume(volume: string, labels: Record<string, string>): Promise<boolean> {
    try {
      await this.ctx.docker.getVolume(volume).inspect();
      return false;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await this.ctx.docker.createVolume({ Name: volume, Labels: labels });
    return true;
  }
}
