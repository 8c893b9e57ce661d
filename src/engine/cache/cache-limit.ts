// After every run: note what it added (store writes, images made, cache volumes grown), and collect least-recently-
// used entries when the cache is over its limit. Cheap when under it: two small reads, one statfs, and sizing only the
// cache volumes the run mounted; the store and the engine are walked only when the estimate passes the limit or the
// last measurement is a day old (docs/cache.md).
import type { CacheObjects } from "../../runtime/cache-objects.js";
import {
  freeDiskBytes,
  limitBytes,
  parseCacheLimit,
  type CacheLimit,
} from "../../store/cache/size-limit.js";
import {
  noteAdded,
  readUsage,
  REMEASURE_MS,
  writeMeasure,
} from "../../store/cache/usage-ledger.js";
import type { CollectResult } from "./cache-collect.js";
import type { CacheUsage } from "./cache-usage.js";
import { readVolumeMarks } from "../../store/cache/use-marks.js";
import {
  readVolumeSizes,
  writeVolumeSizes,
  type VolumeSizes,
} from "../../store/cache/volume-sizes.js";

/** gc collects down to this share of the limit, so that the next runs do not each collect a little. */
export const GC_LOW_WATER = 0.9;

export interface LimitCheck {
  stateDir: string;
  /** GANTRY_CACHE_LIMIT as read by env.ts. */
  limit: string | undefined;
  objects?: CacheObjects;
  /** The bytes the run's store wrote, and the images it made on the engine (snapshots, builds, imports). */
  storeBytesAdded: number;
  snapshots: readonly string[];
  /** When the run started: images older than that are not the run's. */
  since?: number;
  /** The cache volumes (cache names) the run mounted, sized now to see what they grew; `hostVolumes`: the host runtime's. */
  volumesUsed?: readonly string[];
  hostVolumes?: boolean;
}

/** What the check did: `collected` when it went over and collected. */
export interface LimitOutcome {
  estimate: number;
  limit: number;
  measured: boolean;
  collected?: CollectResult;
}

/** The after-run check; undefined when the limit is off or another process is collecting. */
export async function enforceCacheLimit(c: LimitCheck): Promise<LimitOutcome | undefined> {
  const limit = parseCacheLimit(c.limit, "GANTRY_CACHE_LIMIT");
  const engine = c.objects ? await c.objects.addedBytes(c.snapshots, c.since).catch(() => 0) : 0;
  const grown = await volumeGrowth(c).catch(() => 0);
  await noteAdded(c.stateDir, c.storeBytesAdded + engine + grown);
  if (limit.kind === "off") return undefined;
  let usage = await readUsage(c.stateDir);
  const free = await freeDiskBytes(c.stateDir);
  if (!usage) usage = await startLedger(c.stateDir, engine);
  if (Date.now() - usage.measure.measuredAt < REMEASURE_MS) {
    const estimate = usage.measure.stateBytes + usage.measure.engineBytes + usage.addedSince;
    const max = limitBytes(limit, free, estimate) as number;
    if (estimate <= max) return { estimate, limit: max, measured: false };
  }
  return collectToLimit(c.stateDir, c.objects, limit, free);
}

// What the cache volumes this run used grew since they were last sized: only those are sized (a walk of their
// folders; an engine's volume folder only where this process can read it), and their new sizes are kept.
async function volumeGrowth(c: LimitCheck): Promise<number> {
  const names = [...new Set(c.volumesUsed ?? [])];
  if (names.length === 0) return 0;
  const now: VolumeSizes = {};
  if (c.hostVolumes) {
    const { measureDir } = await import("../../store/cache/state-dir-usage.js");
    const { hostVolumeDir } = await import("../../store/cache/host-volume-dirs.js");
    for (const n of names)
      now[`host:${n}`] = (await measureDir(hostVolumeDir(c.stateDir, n))).bytes;
  } else if (c.objects)
    for (const [n, bytes] of await c.objects.cacheVolumeBytes(names)) now[`engine:${n}`] = bytes;
  const known = await readVolumeSizes(c.stateDir);
  let grown = 0;
  for (const [k, bytes] of Object.entries(now)) grown += Math.max(0, bytes - (known[k] ?? 0));
  if (Object.keys(now).length) await writeVolumeSizes(c.stateDir, now, { merge: true });
  return grown;
}

// The sizes a full measurement found, so that the next runs add only what their volumes grew beyond them.
function measuredVolumeSizes(usage: CacheUsage): VolumeSizes {
  const out: VolumeSizes = {};
  for (const v of usage.volumes)
    if (v.cache !== undefined && v.size !== undefined)
      out[`${v.dir ? "host" : "engine"}:${v.cache}`] = v.size;
  return out;
}

// A state dir without a ledger (new, or from before the limit existed): its own size now, and for the engine what
// this run added; listing every image of a busy engine costs seconds, so older images wait for the daily measure.
async function startLedger(stateDir: string, engineBytes: number) {
  const { measureStateDir } = await import("../../store/cache/state-dir-usage.js");
  const { listHostVolumes } = await import("../../store/cache/host-volume-dirs.js");
  const parts = await measureStateDir(stateDir);
  const host: VolumeSizes = {};
  for (const v of await listHostVolumes(stateDir, await readVolumeMarks(stateDir)))
    host[`host:${v.name}`] = v.bytes;
  await writeVolumeSizes(stateDir, host);
  const measure = {
    measuredAt: Date.now(),
    stateBytes: parts.filter((p) => p.cache).reduce((n, p) => n + p.bytes, 0),
    engineBytes,
  };
  await writeMeasure(stateDir, measure);
  return { measure, addedSince: 0 };
}

/** Measure everything and collect down to the limit if over it (`cache gc`, and the check when it fires). Its code is
 * loaded here, on use: the after-run check almost always stops at the estimate. */
export async function collectToLimit(
  stateDir: string,
  objects: CacheObjects | undefined,
  limit: CacheLimit,
  free?: number,
  opts: { dryRun?: boolean } = {},
): Promise<LimitOutcome | undefined> {
  const { tryGcLock } = await import("../../store/cache/gc-lock.js");
  const { measureCache } = await import("./cache-usage.js");
  const { collectCache } = await import("./cache-collect.js");
  const release = await tryGcLock(stateDir);
  if (!release) return undefined;
  try {
    const usage = await measureCache(stateDir, objects);
    const total = usage.stateBytes + usage.engineBytes;
    const max = limitBytes(limit, free ?? (await freeDiskBytes(stateDir)), total);
    if (max === undefined) return undefined;
    const outcome: LimitOutcome = { estimate: total, limit: max, measured: true };
    let engineFreed = 0;
    let stateFreed = 0;
    if (total > max) {
      outcome.collected = await collectCache(usage, {
        objects,
        target: Math.floor(max * GC_LOW_WATER),
        by: "gc",
        dryRun: opts.dryRun,
      });
      for (const r of outcome.collected.removed)
        if (r.engine) engineFreed += r.bytes;
        else stateFreed += r.bytes;
    }
    if (!opts.dryRun) await writeVolumeSizes(stateDir, measuredVolumeSizes(usage));
    if (!opts.dryRun)
      await writeMeasure(stateDir, {
        measuredAt: Date.now(),
        stateBytes: usage.stateBytes - stateFreed,
        engineBytes: usage.engineBytes - engineFreed,
      });
    return outcome;
  } finally {
    await release();
  }
}
