// Cache volumes have no record: every exec, service and shell that mounts one notes its use, so `cache ls` shows it,
// `cache gc` evicts the least recently used (never one a running run marked) and the after-run check sizes what grew.
import type { MountSpec } from "../../runtime/runtime.js";
import { markVolumeUsed } from "../../store/cache/use-marks.js";
import type { Session } from "../session.js";

/** Mark the cache volumes among `mounts` used now, and remember them as this run's. */
export async function markCacheMounts(s: Session, mounts: readonly MountSpec[]): Promise<void> {
  const stateDir = s.env?.stateDir;
  for (const m of mounts) {
    if (m.kind !== "cache") continue;
    s.cacheVolumesUsed.add(m.volume);
    if (stateDir) await markVolumeUsed(stateDir, m.volume);
  }
}
