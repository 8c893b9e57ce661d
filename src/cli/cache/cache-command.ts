// `gantry cache SUBCOMMAND`: the cache's own verbs (explain now; ls, prune and gc come with the cache-size work).
import { UsageError } from "../../errors.js";
import { suggestion } from "../../module/names.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { splitPositionals } from "../positional-args.js";

const SUBCOMMANDS = ["explain"] as const;

const HELP = `Inspect Gantry's cache.

Usage: gantry cache SUBCOMMAND

Subcommands:
  explain [RUN] [STEP]   why the steps of a run did not come from cache
`;

/** Run `gantry cache …`; `rest` is everything after the word `cache`. */
export async function runCache(globals: GlobalOptions, rest: string[], io: CliIo): Promise<number> {
  const words = splitPositionals(rest, globals);
  const [sub, ...args] = words;
  if (sub === undefined) {
    io.stdout.write(HELP);
    return globals.help ? 0 : 2;
  }
  if (sub === "explain") {
    const { runCacheExplain } = await import("./explain-command.js");
    return runCacheExplain(globals, args, io);
  }
  throw new UsageError(
    `unknown cache subcommand "${sub}": subcommands are ${SUBCOMMANDS.join(", ")}.${suggestion(sub, SUBCOMMANDS)}`,
  );
}
