// The cache's verbs for the CLI (`gantry cache ls|prune|gc`): measuring, collecting and the size limit. The verbs'
// code is loaded when one is called: every run imports this seam, and only the `cache` commands use them.
import type { measureCache as MeasureCache } from "../cache/cache-usage.js";
import type { collectCache as CollectCache } from "../cache/cache-collect.js";
import type { collectToLimit as CollectToLimit } from "../cache/cache-limit.js";
import type { pruneStateFiles as PruneStateFiles } from "../cache/prune-state-files.js";

export type { CacheUsage, CacheImage, CacheVolume } from "../cache/cache-usage.js";
export type { CollectOptions, CollectResult, Removal } from "../cache/cache-collect.js";
export { GC_LOW_WATER, type LimitOutcome } from "../cache/cache-limit.js";

/** What the cache holds: the state dir's parts, the store, and the engine's images and volumes. */
export async function measureCache(
  ...args: Parameters<typeof MeasureCache>
): ReturnType<typeof MeasureCache> {
  return (await import("../cache/cache-usage.js")).measureCache(...args);
}

/** Remove least-recently-used entries down to a target (`cache prune`, `cache gc`). */
export async function collectCache(
  ...args: Parameters<typeof CollectCache>
): ReturnType<typeof CollectCache> {
  return (await import("../cache/cache-collect.js")).collectCache(...args);
}

/** Measure everything and collect down to the limit if over it. */
export async function collectToLimit(
  ...args: Parameters<typeof CollectToLimit>
): ReturnType<typeof CollectToLimit> {
  return (await import("../cache/cache-limit.js")).collectToLimit(...args);
}

/** Remove (or list, in a dry run) the state dir's prunable files other than the content store. */
export async function pruneStateFiles(
  ...args: Parameters<typeof PruneStateFiles>
): ReturnType<typeof PruneStateFiles> {
  return (await import("../cache/prune-state-files.js")).pruneStateFiles(...args);
}

export {
  parseCacheLimit,
  limitBytes,
  describeLimit,
  freeDiskBytes,
  formatBytes,
  DEFAULT_CACHE_FRACTION,
  type CacheLimit,
} from "../../store/cache/size-limit.js";
export { liveRunLeases, type RunLease } from "../../store/cache/run-leases.js";
export type { CacheObjects, OwnedImage, OwnedVolume } from "../../runtime/cache-objects.js";
