// `gantry cache gc [--limit SIZE] [--dry-run] [--json]`: collect least-recently-used entries down to the limit,
// as every run does after it ends when the cache is over it.
import {
  collectToLimit,
  describeLimit,
  formatBytes,
  GC_LOW_WATER,
  parseCacheLimit,
} from "../../engine/api/index.js";
import { UsageError } from "../../errors.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { splitPositionals } from "../positional-args.js";
import { openCacheObjects } from "./cache-engine.js";
import { printRemovals } from "./print-removals.js";

export const GC_HELP = `Collect the least recently used cache entries until the cache is under its size limit.

Usage: gantry cache gc [--limit SIZE] [--dry-run] [--json]

  --limit SIZE   this limit instead of GANTRY_CACHE_LIMIT: 20GB, 512MiB, 10g, 25% (of the free
                 disk plus what the cache holds)
  --dry-run      list what would be removed; remove nothing
  --json         one JSON document

When the cache is over the limit, entries are removed least recently used first (a run that
hits an entry makes it recent) until it is under ${GC_LOW_WATER * 100}% of the limit; what runs in
progress made or used is kept. Every run does this after it ends; the default limit is a
quarter of the free disk plus what the cache holds (docs/cache.md). A step whose result was
evicted says so the next time it runs.
`;

/** gc; exit code 0. */
export async function runCacheGc(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
): Promise<number> {
  let json = false;
  let limitText: string | undefined;
  let source = "GANTRY_CACHE_LIMIT";
  const words = splitPositionals(
    rest,
    globals,
    {
      limit: (v) => {
        if (v === undefined) throw new UsageError("--limit needs a size, e.g. --limit 20GB");
        limitText = v;
        source = "--limit";
      },
    },
    { json: () => (json = true) },
  );
  if (globals.help) {
    io.stdout.write(GC_HELP);
    return 0;
  }
  if (words.length)
    throw new UsageError(`cache gc takes no arguments, got ${JSON.stringify(words[0])}`);
  const limit = parseCacheLimit(limitText ?? io.env.cacheLimit, source);
  if (limit.kind === "off")
    throw new UsageError(
      "the cache limit is off (GANTRY_CACHE_LIMIT=off), so gc has nothing to collect to",
      {
        hint: "give one: gantry cache gc --limit 20GB (or use gantry cache prune)",
      },
    );
  const { objects, note } = await openCacheObjects(globals, io);
  const outcome = await collectToLimit(io.env.stateDir, objects, limit, undefined, {
    dryRun: globals.dryRun,
  });
  if (!outcome) {
    io.stderr.write(
      "cache gc: another Gantry process is collecting this state dir now; nothing done\n",
    );
    return 0;
  }
  const removed = outcome.collected?.removed ?? [];
  if (json) {
    io.stdout.write(JSON.stringify({ dryRun: globals.dryRun, ...outcome }, null, 2) + "\n");
    return 0;
  }
  if (note) io.stderr.write(note + "\n");
  io.stdout.write(
    `cache: ${formatBytes(outcome.estimate)}, limit ${describeLimit(limit, outcome.limit)}` +
      (outcome.collected ? "" : ": under the limit, nothing to collect") +
      "\n",
  );
  if (outcome.collected) {
    printRemovals(io, removed, { dryRun: globals.dryRun, list: globals.dryRun });
    io.stdout.write(
      `${globals.dryRun ? "would free" : "freed"} ${formatBytes(outcome.collected.freed)}` +
        (outcome.collected.keptInUse
          ? `; ${outcome.collected.keptInUse} entries kept for runs in progress`
          : "") +
        "\n",
    );
  }
  return 0;
}
