// Lower directories of exec overlays: one per tree (and the directories the exec adds), written once and shared by
// every exec over it; the last few no exec is using are kept for a later exec over the same tree, the rest removed.
import { chmod, lstat, mkdir } from "node:fs/promises";
import path from "node:path";
import type { ContentStore } from "../../store/content-store.js";
import { materializeTree } from "../../store/tree-materialize.js";
import { treeDigest, type Tree, type TreeEntry } from "../../store/tree.js";
import { removeTree, type RunTemp } from "./run-temp.js";

export interface LowerDir {
  readonly dir: string;
  /** What the directory holds: the tree and the created directories (with the modes they got). */
  readonly tree: Tree;
}

/** A lower directory in use by one exec. */
export type LowerLease = LowerDir & {
  /** Done with it; `false` after a failure: then it is not kept for later (a failed exec leaves nothing behind). */
  release(keep?: boolean): Promise<void>;
};

interface Shared {
  ready: Promise<LowerDir>;
  users: number;
}

/** Lower directories kept while no exec uses them (hard links to the store: inodes, not bytes). */
const KEEP_IDLE = 4;

export class LowerDirs {
  private readonly dirs = new Map<string, Shared>();
  /** Keys of directories no exec is using, oldest first. */
  private readonly idle: string[] = [];
  /** Aborted by close(): a directory being written stops, so the run's folder can go. */
  private closing = new AbortController();
  /** A close() under way: a second caller waits for the same one. */
  private closed: Promise<void> | undefined;

  constructor(
    private readonly temp: RunTemp,
    private readonly store: ContentStore,
  ) {}

  /** The lower directory of `tree` plus `created` (tree paths of directories to add), until released. */
  async acquire(tree: Tree, created: readonly string[]): Promise<LowerLease> {
    const key = `${treeDigest(tree)}\0${[...created].sort().join("\0")}`;
    let shared = this.dirs.get(key);
    if (!shared) {
      const made: Shared = { ready: this.make(tree, created, this.closing.signal), users: 0 };
      shared = made;
      this.dirs.set(key, made);
      // a failed write is not remembered: the next exec tries again
      made.ready.catch(() => this.dirs.get(key) === made && this.dirs.delete(key));
    }
    if (shared.users++ === 0) this.unidle(key);
    let lower: LowerDir;
    try {
      lower = await shared.ready;
    } catch (e) {
      shared.users--;
      throw e;
    }
    let released = false;
    const owner = shared;
    return {
      ...lower,
      release: async (keep = true) => {
        if (released) return;
        released = true;
        if (--owner.users > 0 || this.dirs.get(key) !== owner) return;
        if (!keep) {
          this.dirs.delete(key);
          await removeTree(lower.dir);
          return;
        }
        this.idle.push(key);
        while (this.idle.length > KEEP_IDLE) {
          const old = this.idle.shift() as string;
          const gone = this.dirs.get(old);
          this.dirs.delete(old);
          void gone?.ready.then((l) => this.temp.removeLater(l.dir));
        }
      },
    };
  }

  /** Stop writing, forget every directory (the run folder holding them is removed next); usable again after. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      const making = [...this.dirs.values()].map((d) => d.ready.catch(() => undefined));
      this.closing.abort();
      this.dirs.clear();
      this.idle.length = 0;
      await Promise.all(making);
      this.closing = new AbortController();
    })().finally(() => (this.closed = undefined));
    return this.closed;
  }

  private unidle(key: string): void {
    const i = this.idle.indexOf(key);
    if (i >= 0) this.idle.splice(i, 1);
  }

  // Not cancelled by the exec that asked first (another may be waiting for the same directory), only by close().
  private async make(
    tree: Tree,
    created: readonly string[],
    signal: AbortSignal,
  ): Promise<LowerDir> {
    const dir = await this.temp.newDir("lower");
    try {
      await materializeTree(tree, this.store, dir, { linkBlobs: true, signal });
      await chmod(dir, 0o755);
      const entries: Record<string, TreeEntry> = { ...tree.entries };
      for (const p of created) {
        await mkdir(path.join(dir, p), { recursive: true });
        if (p === "tmp") await chmod(path.join(dir, p), 0o1777);
        for (let d = p; d !== "." && d !== "" && !entries[d]; d = path.posix.dirname(d)) {
          const st = await lstat(path.join(dir, d));
          entries[d] = { type: "dir", mode: st.mode & 0o7777 };
        }
      }
      return { dir, tree: { entries } };
    } catch (e) {
      await removeTree(dir).catch(() => undefined);
      throw e;
    }
  }
}
