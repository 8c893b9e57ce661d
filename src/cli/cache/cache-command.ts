// `gantry cache SUBCOMMAND`: the cache's own verbs: explain a run's misses, show its size, prune it, collect it.
import { UsageError } from "../../errors.js";
import { suggestion } from "../../module/names.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { splitPositionals } from "../positional-args.js";

const SUBCOMMANDS = ["explain", "ls", "prune", "gc"] as const;

const HELP = `Inspect Gantry's cache.

Usage: gantry cache SUBCOMMAND

Subcommands:
  explain [RUN] [STEP]   why the steps of a run did not come from cache
  ls [--json]            what the cache takes: state dir parts, engine images and volumes, last use
  prune [--older-than D] [--all] [--dry-run]
                         remove what the cache holds, except what runs in progress use
  gc [--limit SIZE] [--dry-run]
                         remove least recently used entries until under the size limit

The size limit is GANTRY_CACHE_LIMIT (20GB, 512MiB, 25%, off); by default a quarter of the free
disk plus what the cache holds, enforced after every run. See docs/cache.md.
`;

/** Run `gantry cache …`; `rest` is everything after the word `cache`. */
export async function runCache(globals: GlobalOptions, rest: string[], io: CliIo): Promise<number> {
  const at = subcommandIndex(rest);
  const sub = at === undefined ? undefined : rest[at];
  if (sub !== undefined && sub !== "explain" && at !== undefined) {
    // ls, prune and gc have flags of their own: they read every token but the subcommand's
    const own = [...rest.slice(0, at), ...rest.slice(at + 1)];
    return runWithFlags(sub, globals, own, io);
  }
  const words = splitPositionals(rest, globals);
  const args = words.slice(1);
  if (sub === undefined) {
    io.stdout.write(HELP);
    return globals.help ? 0 : 2;
  }
  if (sub === "explain") {
    const { runCacheExplain } = await import("./explain-command.js");
    return runCacheExplain(globals, args, io);
  }
  throw unknown(sub);
}

// The subcommands with flags of their own, loaded only when run.
async function runWithFlags(sub: string, globals: GlobalOptions, rest: string[], io: CliIo) {
  if (sub === "ls") {
    const { runCacheLs } = await import("./cache-ls-command.js");
    return runCacheLs(globals, rest, io);
  }
  if (sub === "prune") {
    const { runCachePrune } = await import("./cache-prune-command.js");
    return runCachePrune(globals, rest, io);
  }
  if (sub === "gc") {
    const { runCacheGc } = await import("./cache-gc-command.js");
    return runCacheGc(globals, rest, io);
  }
  throw unknown(sub);
}

// The first word that is not a flag nor the value of a global flag that takes one.
function subcommandIndex(rest: readonly string[]): number | undefined {
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i] as string;
    if (!tok.startsWith("-")) return i;
    if (["-m", "--mod", "--runtime", "--progress"].includes(tok)) i++;
  }
  return undefined;
}

function unknown(sub: string): UsageError {
  return new UsageError(
    `unknown cache subcommand "${sub}": subcommands are ${SUBCOMMANDS.join(", ")}.${suggestion(sub, SUBCOMMANDS)}`,
  );
}
