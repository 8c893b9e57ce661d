// Persistent per-root stat cache: re-hashing an unchanged host tree compares stats and reads no file contents.
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { createHash } from "node:crypto";
import type { ContentStore } from "./content-store.js";
import { sha256 } from "./digest.js";

/** What a cached digest is trusted for: the file's size, mtime, ctime and inode, then its digest. */
export type StatTuple = [
  size: number,
  mtimeMs: number,
  ctimeMs: number,
  ino: number,
  digest: string,
];

/** The lstat fields the cache compares (a Stats, or the walker's copy of one). */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

export interface StatCacheRecord {
  readonly version: 1;
  readonly root: string;
  readonly entries: Record<string, StatTuple>;
}

export const STAT_CACHE_KIND = "stat-cache";
/** Files smaller than this are read with sync syscalls; larger ones are streamed, 32 at a time. */
const SYNC_READ_LIMIT = 64 * 1024;
const HASH_CONCURRENCY = 32;

/** One root's cache for one walk: look up by stat, remember fresh digests, save what changed. */
export class StatCache {
  private readonly store: ContentStore;
  private readonly root: string;
  private readonly old: Readonly<Record<string, StatTuple>>;
  private readonly oldCount: number;
  private readonly next = new Map<string, StatTuple>();
  private dirty = false;

  private constructor(store: ContentStore, root: string, old: Record<string, StatTuple>) {
    this.store = store;
    this.root = root;
    this.old = old;
    this.oldCount = Object.keys(old).length;
  }

  // Keyed by a digest of the root so any path length is a valid record name; the root inside guards collisions.
  static async load(store: ContentStore, root: string): Promise<StatCache> {
    const rec = await store.getRecord<StatCacheRecord>(STAT_CACHE_KIND, statCacheKey(root));
    const usable = rec?.version === 1 && rec.root === root && typeof rec.entries === "object";
    return new StatCache(store, root, usable ? rec.entries : {});
  }

  // A hit needs every stat field equal; ctime catches edits that restore mtime (cp -p, tar, rsync).
  lookup(relPath: string, st: FileStat): string | undefined {
    const t = Object.hasOwn(this.old, relPath) ? this.old[relPath] : undefined;
    if (!t || t[0] !== st.size || t[1] !== st.mtimeMs || t[2] !== st.ctimeMs || t[3] !== st.ino) {
      return undefined;
    }
    this.next.set(relPath, t);
    return t[4];
  }

  // A file changed within `racyMarginMs` of being stat'ed may change again with the same timestamps
  // (git's "racily clean" problem), so its digest is not trusted for next time.
  remember(relPath: string, st: FileStat, digest: string, statTimeMs: number): void {
    this.dirty = true;
    if (isRacy(st, statTimeMs)) return;
    this.next.set(relPath, [st.size, st.mtimeMs, st.ctimeMs, st.ino, digest]);
  }

  // Entries this walk did not visit survive only when `keep` says the walk could not have seen them
  // (filtered out), so deleted files drop out while another filter's entries stay warm.
  async save(keep: (relPath: string) => boolean): Promise<void> {
    // Every hit re-used an old entry; if all old entries were hit there is nothing to write.
    if (!this.dirty && this.next.size === this.oldCount) return;
    const kept = Object.entries(this.old).filter(([rel]) => !this.next.has(rel) && keep(rel));
    if (!this.dirty && kept.length + this.next.size === this.oldCount) return;
    const entries = Object.fromEntries([...kept, ...this.next]);
    const record: StatCacheRecord = { version: 1, root: this.root, entries };
    await this.store.putRecord(STAT_CACHE_KIND, statCacheKey(this.root), record);
  }
}

/**
 * True when the file changed within the racy margin of being stat'ed (2 s on file systems with whole-second
 * times, else 100 ms): it may change again with the same timestamps, or still be being written.
 */
export function isRacy(st: FileStat, statTimeMs: number): boolean {
  const wholeSeconds = st.mtimeMs % 1000 === 0 && st.ctimeMs % 1000 === 0;
  const racyMarginMs = wholeSeconds ? 2000 : 100;
  return statTimeMs - Math.max(st.mtimeMs, st.ctimeMs) < racyMarginMs;
}

/** The record key of a root's stat cache (exported so tests and `gantry cache` can find it). */
export function statCacheKey(root: string): string {
  return sha256(root);
}

/** A host file to digest; `size` is its lstat size, which picks the way it is read. */
export interface FileToHash {
  readonly abs: string;
  readonly size: number;
}

export interface HashedFile {
  readonly digest: string;
  /** Bytes actually read: differs from the lstat size when the file changed during the walk. */
  readonly size: number;
}

// Cold hashes are dominated by per-file overhead: sync open/read/close costs ~12 µs a small file where
// fs/promises costs ~100 µs, so small files are read synchronously (yielding now and then) while big
// ones stream through a bounded async pool at the same time. A file deleted meanwhile gives undefined.
export async function hashHostFiles(
  files: readonly FileToHash[],
): Promise<(HashedFile | undefined)[]> {
  const results: (HashedFile | undefined)[] = new Array<HashedFile | undefined>(files.length);
  const big = files.flatMap((f, i) => (f.size < SYNC_READ_LIMIT ? [] : [i]));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < big.length) {
      const i = big[next++]!;
      results[i] = await ifExists(hashBigFile(files[i]!.abs));
    }
  };
  const pool = Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, big.length) }, worker));
  void pool.catch(() => undefined); // observed below; avoid an unhandled rejection while the sync loop runs
  const buf = Buffer.allocUnsafe(SYNC_READ_LIMIT);
  let done = 0;
  for (let i = 0; i < files.length; i++) {
    if (files[i]!.size >= SYNC_READ_LIMIT) continue;
    results[i] = hashSmallFileSync(files[i]!.abs, buf);
    if (++done % 500 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  await pool;
  return results;
}

// Reads until EOF (not just the lstat size), so a file that grew is hashed whole.
function hashSmallFileSync(absPath: string, buf: Buffer): HashedFile | undefined {
  let fd: number;
  try {
    fd = openSync(absPath, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const hash = createHash("sha256");
    let size = 0;
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; size += n) {
      hash.update(buf.subarray(0, n));
    }
    return { digest: "sha256:" + hash.digest("hex"), size };
  } finally {
    closeSync(fd);
  }
}

// Big files stream in 1 MiB chunks, so memory stays flat whatever their size.
async function hashBigFile(absPath: string): Promise<HashedFile> {
  const hash = createHash("sha256");
  let size = 0;
  const stream = createReadStream(absPath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: "sha256:" + hash.digest("hex"), size };
}

// A file deleted between the walk and its read is simply not part of the tree.
async function ifExists<T>(p: Promise<T>): Promise<T | undefined> {
  return p.catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  });
}
