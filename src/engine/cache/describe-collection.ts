// The one line a run prints when its end pushed the cache over the limit and gc collected.
import { formatBytes } from "../../store/cache/size-limit.js";
import type { LimitOutcome } from "./cache-limit.js";

/** `cache: 12.3 GB was over the limit of 10.0 GB: cache gc removed 42 entries (3.1 GB), least recently used first`. */
export function describeCollection(o: LimitOutcome): string {
  const c = o.collected;
  if (!c) return `cache: ${formatBytes(o.estimate)} of ${formatBytes(o.limit)}`;
  const entries = c.removed.filter((r) => r.what === "record" || r.what === "volume").length;
  return (
    `cache: ${formatBytes(o.estimate)} was over the limit of ${formatBytes(o.limit)}: cache gc removed ` +
    `${entries} entr${entries === 1 ? "y" : "ies"} (${formatBytes(c.freed)}), least recently used first` +
    (c.keptInUse ? `; ${c.keptInUse} kept for runs in progress` : "")
  );
}
