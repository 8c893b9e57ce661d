// Persistent per-root stat cache: re-hashing an unchanged host tree compares stats and reads no file contents.
import { createReadStream, type Stats } from "node:fs";
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import type { ContentStore } from "./content-store.js";
import { sha256 } from "../engine/digest.js";

/** What a cached digest is trusted for: the file's size, mtime, ctime and inode, then its digest. */
export type StatTuple = [
  size: number,
  mtimeMs: number,
  ctimeMs: number,
  ino: number,
  digest: string,
];

export interface StatCacheRecord {
  readonly version: 1;
  readonly root: string;
  readonly entries: Record<string, StatTuple>;
}

export const STAT_CACHE_KIND = "stat-cache";
/** Files at least this large are hashed as a stream instead of read whole. */
const STREAM_THRESHOLD = 1 << 20;

/** One root's cache for one walk: look up by stat, remember fresh digests, save what changed. */
export class StatCache {
  private readonly store: ContentStore;
  private readonly root: string;
  private readonly old: Readonly<Record<string, StatTuple>>;
  private readonly next = new Map<string, StatTuple>();
  private dirty = false;

  private constructor(store: ContentStore, root: string, old: Record<string, StatTuple>) {
    this.store = store;
    this.root = root;
    this.old = old;
  }

  // Keyed by a digest of the root so any path length is a valid record name; the root inside guards collisions.
  static async load(store: ContentStore, root: string): Promise<StatCache> {
    const rec = await store.getRecord<StatCacheRecord>(STAT_CACHE_KIND, statCacheKey(root));
    const usable = rec?.version === 1 && rec.root === root && typeof rec.entries === "object";
    return new StatCache(store, root, usable ? rec.entries : {});
  }

  // A hit needs every stat field equal; ctime catches edits that restore mtime (cp -p, tar, rsync).
  lookup(relPath: string, st: Stats): string | undefined {
    const t = this.old[relPath];
    if (!t || t[0] !== st.size || t[1] !== st.mtimeMs || t[2] !== st.ctimeMs || t[3] !== st.ino) {
      return undefined;
    }
    this.next.set(relPath, t);
    return t[4];
  }

  // A file changed within `racyMarginMs` of being stat'ed may change again with the same timestamps
  // (git's "racily clean" problem), so its digest is not trusted for next time.
  remember(relPath: string, st: Stats, digest: string, statTimeMs: number): void {
    this.dirty = true;
    const wholeSeconds = st.mtimeMs % 1000 === 0 && st.ctimeMs % 1000 === 0;
    const racyMarginMs = wholeSeconds ? 2000 : 100;
    if (statTimeMs - Math.max(st.mtimeMs, st.ctimeMs) < racyMarginMs) return;
    this.next.set(relPath, [st.size, st.mtimeMs, st.ctimeMs, st.ino, digest]);
  }

  // Entries this walk did not visit survive only when `keep` says the walk could not have seen them
  // (filtered out), so deleted files drop out while another filter's entries stay warm.
  async save(keep: (relPath: string) => boolean): Promise<void> {
    const entries: Record<string, StatTuple> = {};
    let changed = this.dirty;
    for (const [rel, t] of Object.entries(this.old)) {
      if (this.next.has(rel)) continue;
      if (keep(rel)) entries[rel] = t;
      else changed = true;
    }
    if (!changed) return;
    for (const [rel, t] of this.next) entries[rel] = t;
    const record: StatCacheRecord = { version: 1, root: this.root, entries };
    await this.store.putRecord(STAT_CACHE_KIND, statCacheKey(this.root), record);
  }
}

/** The record key of a root's stat cache (exported so tests and `gantry cache` can find it). */
export function statCacheKey(root: string): string {
  return sha256(root);
}

// Small files in one read, big ones streamed; the size is what was read, so it always matches the digest.
export async function hashHostFile(
  absPath: string,
  statSize: number,
): Promise<{ digest: string; size: number }> {
  if (statSize < STREAM_THRESHOLD) {
    const data = await readFile(absPath);
    return { digest: sha256(data), size: data.length };
  }
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(absPath, {
    highWaterMark: 1 << 20,
  }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: "sha256:" + hash.digest("hex"), size };
}
