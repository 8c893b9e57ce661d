// Cache volumes outlive runs as plain host directories; sharing modes decide who may use one at the same time.
import { createHash } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { CacheSharing } from "../runtime.js";
import type { ContentStore } from "../../store/content-store.js";
import { materializeTree } from "../../store/tree-materialize.js";
import type { Tree } from "../../store/tree.js";
import { Mutex } from "../mutex.js";

export interface CacheLease {
  /** Host directory to show at the mount target. */
  readonly dir: string;
  release(): Promise<void>;
}

export interface CacheRequest {
  volume: string;
  sharing: CacheSharing;
  source?: Tree;
  signal: AbortSignal;
  /** Makes a throwaway directory for a PRIVATE user that finds the volume busy. */
  newTempDir: () => Promise<string>;
}

/** The volumes under `<stateDir>/cache-volumes`, with an in-process lock per volume (LOCKED) and use counts (PRIVATE). */
export class CacheVolumes {
  private readonly locks = new Map<string, Mutex>();
  private readonly users = new Map<string, number>();
  private readonly created = new Map<string, Promise<void>>();

  constructor(
    private readonly root: string,
    private readonly store: ContentStore,
  ) {}

  /** Take a volume for one exec; always pair with release(). */
  async acquire(req: CacheRequest): Promise<CacheLease> {
    const dir = path.join(this.root, volumeDirName(req.volume));
    if (req.sharing === "PRIVATE" && (this.users.get(req.volume) ?? 0) > 0) {
      const tmp = await req.newTempDir();
      if (req.source) await materializeTree(req.source, this.store, tmp, { signal: req.signal });
      return { dir: tmp, release: () => rm(tmp, { recursive: true, force: true }) };
    }
    let unlock: (() => void) | undefined;
    if (req.sharing === "LOCKED") {
      let lock = this.locks.get(req.volume);
      if (!lock) this.locks.set(req.volume, (lock = new Mutex()));
      unlock = await lock.lock(req.signal, `cache volume "${req.volume}" (LOCKED)`);
    }
    this.users.set(req.volume, (this.users.get(req.volume) ?? 0) + 1);
    const release = (): Promise<void> => {
      this.users.set(req.volume, (this.users.get(req.volume) ?? 1) - 1);
      unlock?.();
      return Promise.resolve();
    };
    try {
      await this.ensureCreated(req.volume, dir, req.source);
    } catch (e) {
      await release();
      throw e;
    }
    return { dir, release };
  }

  /** Create a volume once, seeded from its source tree; built aside and renamed so a crash leaves no half seed. */
  private ensureCreated(volume: string, dir: string, source: Tree | undefined): Promise<void> {
    let done = this.created.get(volume);
    if (!done) {
      done = (async () => {
        if (await stat(dir).catch(() => undefined)) return;
        const staging = `${dir}.seeding-${process.pid}`;
        await rm(staging, { recursive: true, force: true });
        await mkdir(staging, { recursive: true });
        if (source) await materializeTree(source, this.store, staging);
        await rename(staging, dir);
      })();
      done.catch(() => this.created.delete(volume));
      this.created.set(volume, done);
    }
    return done;
  }
}

/** Volume names are user text; keep readable ones as they are and make the rest safe and distinct. */
export function volumeDirName(volume: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(volume)) return volume;
  const hash = createHash("sha256").update(volume).digest("hex").slice(0, 12);
  return volume.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 60) + "-" + hash;
}
