// After an exec, its upper directory is read back into a Tree; files it did not touch keep their digest unhashed.
import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import type { ContentStore } from "../../store/content-store.js";
import type { FileStamp } from "../../store/tree-materialize.js";
import type { Tree, TreeEntry } from "../../store/tree.js";
import { createLimit, type Limit } from "./limit.js";

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

/** Read `dir` into a Tree, copying new or changed files into the store; sockets, fifos and devices are left out. */
export async function scanUpper(dir: string, store: ContentStore, opts: ScanOptions = {}): Promise<Tree> {
  const entries: Record<string, TreeEntry> = {};
  const limit = createLimit(opts.concurrency ?? 32);
  await scanDir(dir, "", store, opts, limit, entries);
  return { entries };
}

/** Read one directory's children and recurse; the limit bounds filesystem calls, not the recursion. */
async function scanDir(
  root: string,
  rel: string,
  store: ContentStore,
  opts: ScanOptions,
  limit: Limit,
  out: Record<string, TreeEntry>,
): Promise<void> {
  const names = await limit(() => readdir(path.join(root, rel)));
  await Promise.all(
    names.map(async (name) => {
      const p = rel === "" ? name : `${rel}/${name}`;
      if (opts.skip?.(p)) return;
      const abs = path.join(root, p);
      const st = await limit(() => lstat(abs, { bigint: true }));
      const mode = Number(st.mode & 0o7777n);
      if (st.isDirectory()) {
        out[p] = { type: "dir", mode };
        await scanDir(root, p, store, opts, limit, out);
      } else if (st.isSymbolicLink()) {
        out[p] = { type: "symlink", target: await limit(() => readlink(abs)) };
      } else if (st.isFile()) {
        const known = unchangedDigest(p, st, opts);
        const { digest, size } = known
          ? { digest: known, size: Number(st.size) }
          : await limit(() => store.putStream(createReadStream(abs)));
        out[p] = { type: "file", mode, digest, size };
      }
    }),
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
