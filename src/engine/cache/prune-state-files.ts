// `cache prune` also empties the state dir's other caches: module bundles, signature caches, half-seeded host cache
// volumes and leftover scratch of runs; with `--all` the run records too. Never what an open run uses.
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { measureDir } from "../../store/cache/state-dir-usage.js";
import { oldestLeaseStart, type RunLease } from "../../store/cache/run-leases.js";
import type { Removal } from "./cache-collect.js";

export interface PruneFilesOptions {
  leases: readonly RunLease[];
  /** Only what was last written before this time (ms). */
  before?: number;
  /** Run records too. */
  all?: boolean;
  dryRun?: boolean;
}

/** Remove (or list, in a dry run) the state dir's prunable files other than the content store. */
export async function pruneStateFiles(
  stateDir: string,
  opts: PruneFilesOptions,
): Promise<Removal[]> {
  const open = new Set(opts.leases.map((l) => l.runId));
  const protectFrom = Math.min(
    oldestLeaseStart(opts.leases) ?? Number.POSITIVE_INFINITY,
    opts.before ?? Number.POSITIVE_INFINITY,
  );
  const candidates: { file: string; name: string }[] = [];
  const children = async (dir: string) =>
    (await readdir(dir).catch(() => [] as string[])).map((n) => path.join(dir, n));
  for (const f of await children(path.join(stateDir, "signatures")))
    candidates.push({ file: f, name: path.relative(stateDir, f) });
  for (const f of await children(path.join(stateDir, "host-runs")))
    if (!open.has(path.basename(f))) candidates.push({ file: f, name: path.relative(stateDir, f) });
  // host cache volumes are entries of collectCache (sized, last use by mark); here only seeds a crash left half made
  if (opts.leases.length === 0)
    for (const f of await children(path.join(stateDir, "cache-volumes")))
      if (/\.seeding-\d+$/.test(f)) candidates.push({ file: f, name: path.relative(stateDir, f) });
  for (const project of await children(path.join(stateDir, "projects"))) {
    for (const f of await children(path.join(project, "bundles")))
      candidates.push({ file: f, name: path.relative(stateDir, f) });
    if (!opts.all) continue;
    for (const f of await children(path.join(project, "runs")))
      if (!open.has(path.basename(f).replace(/\.jsonl$/, "")))
        candidates.push({ file: f, name: path.relative(stateDir, f) });
  }
  const removed: Removal[] = [];
  for (const c of candidates) {
    const st = await stat(c.file).catch(() => undefined);
    if (!st) continue;
    const m = st.isDirectory()
      ? await measureDir(c.file)
      : { bytes: st.size, lastUsed: st.mtimeMs };
    const lastUsed = m.lastUsed ?? st.mtimeMs;
    if (lastUsed >= protectFrom) continue;
    if (!opts.dryRun) await rm(c.file, { recursive: true, force: true });
    removed.push({ what: "file", name: c.name, bytes: m.bytes, lastUsed });
  }
  return removed;
}
