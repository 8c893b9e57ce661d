// `cache gc` (least recently used first, down to a size) and `cache prune` (everything, or what was last used
// before a time): records go with the trees, blobs and images only they held. What a running run made or used
// since it started is never touched: runs hold leases (store/cache/run-leases.ts) naming their start.
import { rm, stat, unlink } from "node:fs/promises";
import { collectOrphans } from "./collect-orphans.js";
import type { CacheObjects } from "../../runtime/cache-objects.js";
import { appendEvictions, type Eviction } from "../../store/cache/eviction-log.js";
import { liveRunLeases, oldestLeaseStart, type RunLease } from "../../store/cache/run-leases.js";
import { treeBlobs, type RecordItem } from "../../store/cache/store-inventory.js";
import { forgetVolumeMark } from "../../store/cache/use-marks.js";
import type { CacheImage, CacheUsage, CacheVolume } from "./cache-usage.js";

/** One thing removed (or, in a dry run, that would be). */
export interface Removal {
  what: "record" | "tree" | "blob" | "tmp" | "image" | "volume" | "file";
  name: string;
  bytes: number;
  lastUsed?: number;
  /** On the engine (images, engine cache volumes), as opposed to the state dir's disk. */
  engine?: true;
  /** An orphan: nothing named it (`mine`: this state dir made it; `gone`: a deleted state dir did). */
  orphan?: "mine" | "gone";
}

export interface CollectOptions {
  objects?: CacheObjects;
  /** gc: stop once the counted usage is at most this many bytes. Absent: prune (everything that qualifies). */
  target?: number;
  /** prune: only what was last used before this time (ms). */
  before?: number;
  dryRun?: boolean;
  /** Who evicts, for the tombstones a later miss reads. */
  by: "gc" | "prune";
  /** Orphans of state dirs that are gone too (`prune --all`); this state dir's own orphans always go. */
  goneOrphans?: boolean;
  isAlive?: (pid: number) => boolean;
}

export interface CollectResult {
  removed: Removal[];
  freed: number;
  /** Counted usage before and (estimated) after. */
  before: number;
  after: number;
  /** Runs that were open: what they made or used since they started was kept. */
  leases: RunLease[];
  /** Entries kept because a running run made or used them. */
  keptInUse: number;
}

type Held = {
  what: "tree" | "blob" | "image";
  key: string;
  bytes: number;
  remove: () => Promise<boolean>;
};

/** Collect from a measured cache; see the file comment. */
export async function collectCache(
  usage: CacheUsage,
  opts: CollectOptions,
): Promise<CollectResult> {
  const leases = await liveRunLeases(usage.stateDir, opts.isAlive);
  const protectFrom = oldestLeaseStart(leases) ?? Number.POSITIVE_INFINITY;
  const cutoff = Math.min(protectFrom, opts.before ?? Number.POSITIVE_INFINITY);
  const before = usage.stateBytes + usage.engineBytes;
  const result: CollectResult = {
    removed: [],
    freed: 0,
    before,
    after: before,
    leases,
    keptInUse: 0,
  };
  const enough = () => opts.target !== undefined && before - result.freed <= opts.target;
  const done = async (r: Removal, remove: () => Promise<boolean>) => {
    if (!opts.dryRun && !(await remove().catch(() => false))) return false;
    result.removed.push(r);
    result.freed += r.bytes;
    return true;
  };
  const { held, holds } = await holdGraph(usage, opts.objects);
  const refs = new Map<string, number>();
  for (const set of holds.values()) for (const k of set) refs.set(k, (refs.get(k) ?? 0) + 1);

  // Garbage first: store objects no record holds, and leftovers of interrupted writes.
  for (const o of usage.store.objects.values()) {
    if (enough()) break;
    if (refs.has(o.digest) || o.mtime >= protectFrom) continue;
    await done({ what: o.type, name: o.digest, bytes: o.bytes }, () => unlinked(o.file));
  }
  for (const t of usage.store.tmp)
    if (!enough() && t.mtime < Math.min(protectFrom, Date.now() - 3600_000))
      await done({ what: "tmp", name: t.file, bytes: t.bytes }, () => unlinked(t.file));

  // Engine objects nothing names: this state dir's (a crashed run's snapshot, an image the engine once refused to
  // remove), and with `goneOrphans` those of deleted state dirs.
  await collectOrphans(usage, { ...opts, protectFrom, enough, done });

  // Then entries, least recently used first: records (with what only they held) and cache volumes.
  type Entry = { lastUsed: number; record?: RecordItem; volume?: CacheVolume };
  const entries: Entry[] = [
    ...usage.store.records.map((record) => ({ lastUsed: record.lastUsed, record })),
    ...usage.volumes.map((volume) => ({ lastUsed: volume.lastUsed, volume })),
  ].sort((a, b) => a.lastUsed - b.lastUsed);
  const evictions: Eviction[] = [];
  for (const e of entries) {
    if (enough()) break;
    if (e.lastUsed >= cutoff) {
      if (e.lastUsed >= protectFrom) result.keptInUse++;
      continue;
    }
    if (e.volume) {
      const v = e.volume;
      const where = v.dir ? {} : { engine: true as const };
      const gone = await done(
        { what: "volume", name: v.name, bytes: v.size ?? 0, lastUsed: v.lastUsed, ...where },
        () => removeVolume(v, opts.objects),
      );
      // the mark names the cache, which the other runtime may hold too: only the engine's removal forgets it
      if (gone && !opts.dryRun && v.cache && !v.dir)
        await forgetVolumeMark(usage.stateDir, v.cache);
      continue;
    }
    const r = e.record as RecordItem;
    const removed = await done(
      { what: "record", name: `${r.kind}/${r.stem}`, bytes: r.bytes, lastUsed: r.lastUsed },
      () => unlinkUnused(r),
    );
    if (!removed) continue;
    if (r.kind === "exec")
      evictions.push({ kind: "exec", key: r.stem, time: Date.now(), by: opts.by });
    for (const k of holds.get(r) ?? []) {
      const n = (refs.get(k) ?? 1) - 1;
      refs.set(k, n);
      const h = held.get(k);
      if (n > 0 || !h || isProtected(usage, h, protectFrom)) continue;
      const where = h.what === "image" ? { engine: true as const } : {};
      await done({ what: h.what, name: h.key, bytes: h.bytes, ...where }, h.remove);
    }
  }
  if (!opts.dryRun) await appendEvictions(usage.stateDir, evictions);
  result.after = before - result.freed;
  return result;
}

// For every record, the trees, blobs and images it holds (a tree holds its files' blobs).
async function holdGraph(usage: CacheUsage, objects: CacheObjects | undefined) {
  const held = new Map<string, Held>();
  for (const o of usage.store.objects.values())
    held.set(o.digest, {
      what: o.type,
      key: o.digest,
      bytes: o.bytes,
      remove: () => unlinked(o.file),
    });
  for (const img of usage.images)
    held.set(img.id, {
      what: "image",
      key: img.id,
      // an image with children is only untagged now; its bytes go with its last child (counted here all the same)
      bytes: img.size,
      remove: () => (objects ? objects.removeImage(img) : Promise.resolve(false)),
    });
  const blobsOf = new Map<string, string[]>();
  const holds = new Map<RecordItem, Set<string>>();
  for (const r of usage.store.records) {
    const set = new Set<string>();
    for (const d of r.refs) {
      if (!held.has(d)) continue;
      set.add(d);
      const o = usage.store.objects.get(d);
      if (o?.type !== "tree") continue;
      if (!blobsOf.has(d)) blobsOf.set(d, await treeBlobs(o.file));
      for (const b of blobsOf.get(d) ?? []) if (held.has(b)) set.add(b);
    }
    holds.set(r, set);
  }
  return { held, holds };
}

// Made since the oldest open run started: it may be that run's (images carry their creation to the second).
function isProtected(usage: CacheUsage, h: Held, protectFrom: number): boolean {
  if (h.what === "image") {
    const img = usage.images.find((i) => i.id === h.key) as CacheImage | undefined;
    return img !== undefined && img.created >= protectFrom - 1000; // the engine dates images to the second
  }
  const o = usage.store.objects.get(h.key);
  return o !== undefined && o.mtime >= protectFrom;
}

// An engine cache volume goes through the engine (refused while a container uses it); a host one is a folder.
async function removeVolume(v: CacheVolume, objects: CacheObjects | undefined): Promise<boolean> {
  if (!v.dir) return objects ? objects.removeVolume(v.name) : false;
  await rm(v.dir, { recursive: true, force: true });
  return true;
}

// Remove a record only if no run used it since it was listed (a run touches a record before reading it).
async function unlinkUnused(r: RecordItem): Promise<boolean> {
  const st = await stat(r.file).catch(() => undefined);
  if (!st || st.mtimeMs !== r.lastUsed) return false;
  return unlinked(r.file);
}

// Remove a file; false when it was already gone.
async function unlinked(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch {
    await rm(file, { force: true });
    return false;
  }
}
