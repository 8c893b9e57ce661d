// Cache volumes outlive runs as plain host directories; sharing modes decide who may use one at the same time.
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { CacheSharing } from "../runtime.js";
import type { ContentStore } from "../../store/content-store.js";
import { materializeTree } from "../../store/tree-materialize.js";
import type { Tree } from "../../store/tree.js";
import { CacheSharingPolicy } from "../cache-sharing.js";
import { volumeDirName } from "../../store/cache/host-volume-dirs.js";
import { chownTree, type Ids } from "./mount-owner.js";

export { volumeDirName };

export interface CacheLease {
  /** Host directory to show at the mount target. */
  readonly dir: string;
  release(): Promise<void>;
}

export interface CacheRequest {
  volume: string;
  sharing: CacheSharing;
  source?: Tree;
  /** Ids (resolved, allowed) given to a new volume's root and seed; an existing volume is left as it is. */
  owner?: Ids;
  signal: AbortSignal;
  /** Makes a directory of the run (removed with it) for a PRIVATE user that finds the volume busy. */
  newTempDir: () => Promise<string>;
}

/** The volumes under `<stateDir>/cache-volumes`, shared by the one sharing policy both runtimes use. */
export class CacheVolumes {
  private readonly policy: CacheSharingPolicy<string>;
  private readonly created = new Map<string, Promise<void>>();

  constructor(
    private readonly root: string,
    private readonly store: ContentStore,
  ) {
    this.policy = new CacheSharingPolicy({ lockFile: (v) => store.lockPath(`cache-host-${v}`) });
  }

  /** Take a volume (or a PRIVATE copy, a directory of the run's) for one exec; always pair with release(). */
  async acquire(req: CacheRequest): Promise<CacheLease> {
    const dir = path.join(this.root, volumeDirName(req.volume));
    const use = await this.policy.acquire(req.volume, req.sharing, req.signal, {
      open: async () => {
        await this.ensureCreated(req.volume, dir, req.source, req.owner);
        return { handle: dir, fresh: false };
      },
      copy: async () => {
        const tmp = await req.newTempDir();
        if (req.source) await materializeTree(req.source, this.store, tmp, { signal: req.signal });
        if (req.owner) await chownTree(tmp, req.owner);
        return tmp;
      },
    });
    return {
      dir: use.handle,
      release: () => {
        use.release();
        return Promise.resolve();
      },
    };
  }

  /**
   * Create a volume once, seeded from its source tree and given its owner; built aside and renamed so a crash leaves
   * no half seed. An existing volume keeps its files' owners (decision: docs/design-notes/host-runtime.md).
   */
  private ensureCreated(
    volume: string,
    dir: string,
    source: Tree | undefined,
    owner: Ids | undefined,
  ): Promise<void> {
    let done = this.created.get(volume);
    if (!done) {
      done = (async () => {
        if (await stat(dir).catch(() => undefined)) return;
        const staging = `${dir}.seeding-${process.pid}`;
        await rm(staging, { recursive: true, force: true });
        await mkdir(staging, { recursive: true });
        if (source) await materializeTree(source, this.store, staging);
        if (owner) await chownTree(staging, owner);
        await rename(staging, dir);
      })();
      done.catch(() => this.created.delete(volume));
      this.created.set(volume, done);
    }
    return done;
  }
}
