// The host runtime gives a process a directory it may change, so a Tree must become real files on disk.
import { chmodSync, constants, linkSync, lstatSync, mkdirSync, symlinkSync } from "node:fs";
import { chmod, copyFile, lstat, mkdir, symlink, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { CancelledError, NotFoundError, UnsupportedError } from "../errors.js";
import type { ContentStore } from "./content-store.js";
import { normalizeTreePath, type Tree, type TreeEntry } from "./tree.js";

/** What a written file looked like right after writing, so a later scan can tell it unchanged without hashing. */
export interface FileStamp {
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

export interface MaterializeOptions {
  /** Files copied at once; copying is I/O bound, so overlap helps until descriptors run short. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Filled with the stamp of every written regular file, by tree path. */
  stamps?: Map<string, FileStamp>;
  /** `dir` already has contents (an export merging into it): a file or symlink in the way is replaced. */
  replace?: boolean;
  /**
   * Hard-link files to the store's blobs where the blob already has the file's mode (a copy otherwise), one path per
   * blob (two identical files must not be one inode: `tar` and `cp -a` would keep them as links). Only for a
   * directory no process can write through: an overlay's lower directory, whose changes go to the upper.
   */
  linkBlobs?: boolean;
}

/**
 * Write `tree` under `dir` (created if missing) as real files.
 * Files are copies (a reflink where the filesystem offers one), not hard links, unless `linkBlobs` says the
 * directory is never written through: a process may modify them and must not reach the content store's blobs.
 */
export async function materializeTree(
  tree: Tree,
  store: ContentStore,
  dir: string,
  opts: MaterializeOptions = {},
): Promise<void> {
  assertTreeShape(tree);
  const entries = Object.entries(tree.entries);
  if (opts.linkBlobs && !opts.replace && !opts.stamps) return linkTree(entries, store, dir, opts);
  const dirs = entries.filter(([, e]) => e.type === "dir").map(([p]) => p);
  await mkdir(dir, { recursive: true });
  await forEachBounded(dirs, opts, (p) => mkdir(path.join(dir, p), { recursive: true }));
  const entryOpts = { ...opts, linked: opts.linkBlobs ? new Set<string>() : undefined };
  await forEachBounded(entries, opts, ([p, e]) => writeEntry(store, dir, p, e, entryOpts));
  // Modes last: a read-only directory must still be written into first.
  await forEachBounded(entries, opts, async ([p, e]) => {
    if (e.type === "dir") await chmod(path.join(dir, p), e.mode);
  });
}

/**
 * `materializeTree` with `linkBlobs`: directories, symlinks and links to blobs this process has checked are made
 * without waiting, one system call each (awaiting each was ~50 ms of an exec's start over a 200-file tree); what
 * cannot be linked (a blob not checked yet or with another mode, another file system) is copied as usual.
 */
async function linkTree(
  entries: readonly [string, TreeEntry][],
  store: ContentStore,
  dir: string,
  opts: MaterializeOptions,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [p, e] of entries)
    if (e.type === "dir") mkdirSync(path.join(dir, p), { recursive: true });
  const linked = new Set<string>();
  const rest: [string, TreeEntry][] = [];
  let done = 0;
  for (const [p, e] of entries) {
    if (++done % 256 === 0) {
      // the event loop gets a turn now and then (output of running execs, a cancel)
      await new Promise((resolve) => setImmediate(resolve));
      if (opts.signal?.aborted)
        throw new CancelledError("cancelled while writing files for an exec");
    }
    const dest = path.join(dir, p);
    if (e.type === "symlink") symlinkSync(e.target, dest);
    else if (e.type === "file") {
      const blob =
        e.size > 0 && !linked.has(e.digest) ? store.checkedBlobPath(e.digest) : undefined;
      if (blob && linkSyncIfMode(blob, e.mode, dest)) linked.add(e.digest);
      else rest.push([p, e]);
    }
  }
  await forEachBounded(rest, opts, ([p, e]) => writeEntry(store, dir, p, e, { ...opts, linked }));
  // Modes last: a read-only directory must still be written into first.
  for (const [p, e] of entries) if (e.type === "dir") chmodSync(path.join(dir, p), e.mode);
}

/** Hard-link `blob` at `dest` when it has `mode`; false (nothing made) otherwise or when linking fails. */
function linkSyncIfMode(blob: string, mode: number, dest: string): boolean {
  try {
    if ((lstatSync(blob).mode & 0o7777) !== mode) return false;
    linkSync(blob, dest);
    return true;
  } catch {
    return false; // gone since it was checked, or another file system: copied instead, which says why if it fails
  }
}

// The last guard before bytes reach the host: a tree from a damaged record or a hostile archive could name
// "../x" or put a file below a symlink, and writing it would land outside `dir`.
export function assertTreeShape(tree: Tree): void {
  for (const [p, entry] of Object.entries(tree.entries)) {
    let problem: string | undefined;
    if (p === "" || normalizeTreePathOrUndefined(p) !== p) problem = "is not a plain relative path";
    else if (entry.type === "file" && !/^sha256:[0-9a-f]{64}$/.test(entry.digest))
      problem = "has no valid content digest";
    else {
      const slash = p.lastIndexOf("/");
      const parent = slash < 0 ? undefined : tree.entries[p.slice(0, slash)];
      if (slash >= 0 && parent?.type !== "dir")
        problem = `lies below ${JSON.stringify(p.slice(0, slash))}, which is not a directory`;
    }
    if (problem) {
      throw new UnsupportedError(
        `refusing to write a directory whose entry ${JSON.stringify(p)} ${problem}`,
        { hint: "the value is damaged or was made from a hostile archive; run again without it" },
      );
    }
  }
}

// normalizeTreePath throws on a path leaving its root; here that is one more way of not being plain.
function normalizeTreePathOrUndefined(p: string): string | undefined {
  try {
    return normalizeTreePath(p);
  } catch {
    return undefined;
  }
}

/** Write one file or symlink; directories were made before. */
async function writeEntry(
  store: ContentStore,
  dir: string,
  p: string,
  entry: TreeEntry,
  opts: MaterializeOptions & { linked?: Set<string> | undefined },
): Promise<void> {
  const dest = path.join(dir, p);
  if (entry.type === "dir") return;
  // unlink, not overwrite: a symlink left there must be replaced, not written through
  if (opts.replace) await unlink(dest).catch(ignoreMissing);
  if (entry.type === "symlink") return symlink(entry.target, dest);
  const stamps = opts.stamps;
  if (opts.linkBlobs && entry.size > 0 && !opts.linked?.has(entry.digest)) {
    opts.linked?.add(entry.digest);
    if (await linkBlob(store, entry, dest)) return;
  }
  if (entry.size === 0) await writeFile(dest, "");
  else await copyBlob(store, entry.digest, dest);
  // copyFile keeps the blob's mode, usually already the wanted one: one lstat instead of a chmod and an lstat.
  let st = await lstat(dest, { bigint: true });
  if (Number(st.mode & 0o7777n) !== entry.mode) {
    await chmod(dest, entry.mode);
    if (stamps) st = await lstat(dest, { bigint: true });
  }
  stamps?.set(p, { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs });
}

// unlink's ENOENT means there was nothing to replace.
function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
}

/** A hard link to the store's own blob when it is intact and has the entry's mode; false: copy instead. */
async function linkBlob(
  store: ContentStore,
  entry: { digest: string; mode: number },
  dest: string,
): Promise<boolean> {
  try {
    await store.verifyOwnBlob(entry.digest);
  } catch {
    return false; // not in the store itself (a host source), or damaged: copied
  }
  return linkSyncIfMode(store.blobPath(entry.digest), entry.mode, dest);
}

/**
 * Copy from the store's own blob, checked against its digest (once per process), else from the host file
 * registered for it; a damaged store blob is removed and its NotFoundError says so.
 */
async function copyBlob(store: ContentStore, digest: string, dest: string): Promise<void> {
  try {
    await store.verifyOwnBlob(digest);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    const source = await store.locateBlob(digest).catch(() => Promise.reject(e));
    await copyFile(source, dest, constants.COPYFILE_FICLONE);
    return;
  }
  await copyFile(store.blobPath(digest), dest, constants.COPYFILE_FICLONE);
}

/** Run `fn` over `items` with at most `concurrency` at once; on a failure or cancel, wait for all workers to stop. */
async function forEachBounded<T>(
  items: readonly T[],
  opts: MaterializeOptions,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      if (opts.signal?.aborted) {
        failure = { error: new CancelledError("cancelled while writing files for an exec") };
        return;
      }
      try {
        await fn(items[next++] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency ?? 32, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
}
