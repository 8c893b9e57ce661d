// After every run: note what it added, and collect least-recently-used entries when the cache is over its limit.
// Cheap when under it — two small reads and one statfs; the store is walked only when the estimate passes the
// limit or the last measurement is a day old (docs/cache.md).
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

/** gc collects down to this share of the limit, so that the next runs do not each collect a little. */
export const GC_LOW_WATER = 0.9;

export interface LimitCheck {
  stateDir: string;
  /** GANTRY_CACHE_LIMIT as read by env.ts. */
  limit: string | undefined;
  objects?: CacheObjects;
  /** The bytes the run's store wrote, and the snapshots it committed on the engine. */
  storeBytesAdded: number;
  snapshots: readonly string[];
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
  const engine = c.objects ? await c.objects.addedBytes(c.snapshots).catch(() => 0) : 0;
  await noteAdded(c.stateDir, c.storeBytesAdded + engine);
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

// A state dir without a ledger (new, or from before the limit existed): its own size now, and for the engine what
// this run added; listing every image of a busy engine costs seconds, so older images wait for the daily measure.
async function startLedger(stateDir: string, engineBytes: number) {
  const { measureStateDir } = await import("../../store/cache/state-dir-usage.js");
  const parts = await measureStateDir(stateDir);
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
        if (r.what === "image" || r.what === "volume") engineFreed += r.bytes;
        else stateFreed += r.bytes;
    }
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
