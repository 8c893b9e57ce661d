// `gantry cache prune [--all] [--older-than DUR] [--dry-run] [--json]`: remove what Gantry's cache holds that no
// running run uses, or list it.
import {
  collectCache,
  formatBytes,
  measureCache,
  pruneStateFiles,
  type Removal,
} from "../../engine/api/index.js";
import { UsageError } from "../../errors.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { splitPositionals } from "../positional-args.js";
import { openCacheObjects } from "./cache-engine.js";
import { parseDuration } from "./cache-format.js";
import { printRemovals } from "./print-removals.js";

export const PRUNE_HELP = `Remove what Gantry's cache holds, except what runs in progress use.

Usage: gantry cache prune [--older-than DURATION] [--all] [--dry-run] [--json]

  --older-than D   only what was last used more than D ago (30m, 12h, 7d, 2w)
  --all            also the run records of every project (gantry report/cache explain read them),
                   and orphans of deleted state dirs (their images and cache volumes on the engine)
  --dry-run        list what would be removed; remove nothing
  --json           one JSON document

Removed: cache records (exec results, step inputs, stat caches…), trees and blobs no record
holds any more, the images this state dir's records name (never an image tagged outside
gantry-cache/gantry-build, never one a container uses), the cache volumes its runs used, module
bundles, signature caches, the host runtime's cache volumes and scratch, and this state dir's
orphans (its images and cache volumes no record names). Kept: whatever a run in progress (in any
process) made or used since it started, run records (unless --all), deploy history, the images
of other state dirs that still exist, and the cache volumes only they used.

Cache volumes are shared by name on an engine (withMountedCache("npm") is one volume for every
state dir): one this state dir's runs used goes even if another state dir made it or uses it too;
it is a cache, and the next run that mounts it fills it again. --dry-run lists them first.
`;

/** Prune; exit code 0 (a dry run too). */
export async function runCachePrune(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
): Promise<number> {
  let json = false;
  let all = false;
  let olderThan: number | undefined;
  const words = splitPositionals(
    rest,
    globals,
    {
      "older-than": (v) => {
        olderThan = v === undefined ? undefined : parseDuration(v);
        if (olderThan === undefined)
          throw new UsageError(
            `--older-than needs a duration such as 30m, 12h, 7d or 2w, got ${JSON.stringify(v ?? "")}`,
          );
      },
    },
    { json: () => (json = true), all: () => (all = true) },
  );
  if (globals.help) {
    io.stdout.write(PRUNE_HELP);
    return 0;
  }
  if (words.length)
    throw new UsageError(`cache prune takes no arguments, got ${JSON.stringify(words[0])}`);
  const stateDir = io.env.stateDir;
  const { objects, note } = await openCacheObjects(globals, io);
  const usage = await measureCache(stateDir, objects);
  const before = olderThan === undefined ? undefined : Date.now() - olderThan;
  const dryRun = globals.dryRun;
  const result = await collectCache(usage, {
    objects,
    before,
    dryRun,
    by: "prune",
    goneOrphans: all,
  });
  const files = await pruneStateFiles(stateDir, { leases: result.leases, before, all, dryRun });
  const removed: Removal[] = [...result.removed, ...files];
  if (json) {
    io.stdout.write(
      JSON.stringify(
        {
          dryRun,
          removed,
          freed: sum(removed),
          keptInUse: result.keptInUse,
          runsInProgress: result.leases,
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  if (note) io.stderr.write(note + "\n");
  printRemovals(io, removed, { dryRun, list: dryRun });
  io.stdout.write(
    `${dryRun ? "would free" : "freed"} ${formatBytes(sum(removed))}` +
      (result.leases.length
        ? `; kept what ${result.leases.length} run(s) in progress made or used (${result.leases.map((l) => l.runId).join(", ")})`
        : "") +
      "\n",
  );
  return 0;
}

function sum(rs: readonly Removal[]): number {
  return rs.reduce((n, r) => n + r.bytes, 0);
}
