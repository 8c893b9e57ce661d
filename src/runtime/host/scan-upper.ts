// After an exec, its upper directory is read back into a Tree; files it did not touch keep their digest unhashed.
import { createReadStream, lstatSync, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import type { ContentStore } from "../../store/content-store.js";
import type { FileStamp } from "../../store/tree-materialize.js";
import type { Tree, TreeEntry } from "../../store/tree.js";
import { createLimit } from "./limit.js";

export interface ScanOptions {
  /** The tree that was materialized, with the stamps of its files taken right after writing. */
  before?: Tree;
  stamps?: ReadonlyMap<string, FileStamp>;
  /**
   * Stamps are trusted only for files last changed before this wall-clock time (ns): a write within the same
   * timestamp tick as the materialization would leave size and times equal (git's "racy clean" problem).
   */
  trustBeforeNs?: bigint;
  /** Tree paths not to read (mount points); their subtrees are not entered. */
  skip?: (treePath: string) => boolean;
  concurrency?: number;
}

/** Walking uses sync syscalls (several times cheaper than async per call) and yields to the event loop this often. */
const YIELD_EVERY = 1000;

/** Read `dir` into a Tree, copying new or changed files into the store; sockets, fifos and devices are left out. */
export async function scanUpper(
  dir: string,
  store: ContentStore,
  opts: ScanOptions = {},
): Promise<Tree> {
  const entries: Record<string, TreeEntry> = {};
  const toHash: [string, number][] = [];
  const pending = [""];
  let sinceYield = 0;
  for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
    for (const name of readdirSync(path.join(dir, rel))) {
      const p = rel === "" ? name : `${rel}/${name}`;
      if (opts.skip?.(p)) continue;
      const abs = path.join(dir, p);
      const st = lstatSync(abs, { bigint: true });
      const mode = Number(st.mode & 0o7777n);
      if (st.isDirectory()) {
        entries[p] = { type: "dir", mode };
        pending.push(p);
      } else if (st.isSymbolicLink()) {
        entries[p] = { type: "symlink", target: readlinkSync(abs) };
      } else if (st.isFile()) {
        const digest = unchangedDigest(p, st, opts);
        if (digest) entries[p] = { type: "file", mode, digest, size: Number(st.size) };
        else toHash.push([p, mode]);
      }
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  await hashInto(entries, dir, toHash, store, opts.concurrency);
  return { entries };
}

/** Copy the files `toHash` (tree path, mode) under `dir` into the store, recording each as an entry of `entries`. */
export async function hashInto(
  entries: Record<string, TreeEntry>,
  dir: string,
  toHash: readonly (readonly [string, number])[],
  store: ContentStore,
  concurrency = 16,
): Promise<void> {
  const limit = createLimit(concurrency);
  await Promise.all(
    toHash.map(([p, mode]) =>
      limit(async () => {
        const { digest, size } = await store.putStream(createReadStream(path.join(dir, p)));
        entries[p] = { type: "file", mode, digest, size };
      }),
    ),
  );
}

/** The file's digest from before the exec, if its stamp proves it untouched. */
function unchangedDigest(
  p: string,
  st: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint },
  opts: ScanOptions,
): string | undefined {
  const stamp = opts.stamps?.get(p);
  const before = opts.before?.entries[p];
  if (!stamp || before?.type !== "file" || opts.trustBeforeNs === undefined) return undefined;
  const same =
    stamp.ino === st.ino &&
    stamp.size === st.size &&
    stamp.mtimeNs === st.mtimeNs &&
    stamp.ctimeNs === st.ctimeNs &&
    st.ctimeNs < opts.trustBeforeNs;
  return same ? before.digest : undefined;
}
