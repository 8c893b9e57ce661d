// The cache's verbs for the CLI (`gantry cache ls|prune|gc`): measuring, collecting and the size limit.
export {
  measureCache,
  type CacheUsage,
  type CacheImage,
  type CacheVolume,
} from "../cache/cache-usage.js";
export {
  collectCache,
  type CollectOptions,
  type CollectResult,
  type Removal,
} from "../cache/cache-collect.js";
export { collectToLimit, GC_LOW_WATER, type LimitOutcome } from "../cache/cache-limit.js";
export { pruneStateFiles } from "../cache/prune-state-files.js";
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
