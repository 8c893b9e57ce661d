// `gantry functions`: the module's functions and their one-line docs, from the signature cache when warm.
import { noFunctions } from "../call/plan-call.js";
import { UsageError } from "../../errors.js";
import { findModule } from "../../module/find-module.js";
import { loadSignature } from "../../module/signature-cache.js";
import { mainObjectOf } from "../../module/signature.js";
import { objectCallables } from "../call/callable.js";
import { prescanModFlag, printWarnings, unsupportedWarnings } from "../call/command-helpers.js";
import type { CliIo } from "../cli-io.js";
import { firstLine, formatTable } from "../format-table.js";
import { consumeGlobalFlag, splitFlagToken, type GlobalOptions } from "../global-flags.js";
import { GLOBAL_FLAGS_HELP } from "../help-text.js";

const HELP = `List the functions of the module, with the first line of each one's doc comment.

Usage: gantry functions [GLOBAL FLAGS]

${GLOBAL_FLAGS_HELP}
Run "gantry call FUNCTION --help" for a function's flags.
`;

/** Run `gantry functions`; `rest` is everything after the word `functions`. */
export async function runFunctions(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
): Promise<number> {
  prescanModFlag(rest, globals);
  for (let i = 0; i < rest.length;) {
    const tok = rest[i] as string;
    const [name, inline] = splitFlagToken(tok);
    const next = tok.startsWith("-")
      ? consumeGlobalFlag(globals, name, inline, rest, i)
      : undefined;
    if (next === undefined) {
      throw new UsageError(
        tok.startsWith("-")
          ? `unknown flag ${tok} for gantry functions: it takes only the global flags (gantry functions --help)`
          : `gantry functions takes no arguments, got ${JSON.stringify(tok)}: to call a function, run gantry call ${tok}`,
      );
    }
    i = next;
  }
  if (globals.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const mod = findModule({
    cwd: io.cwd,
    ...(globals.mod !== undefined ? { modDir: globals.mod } : {}),
  });
  const { signature } = await loadSignature(mod, { stateDir: io.env.stateDir });
  printWarnings(io, [
    ...mod.warnings,
    ...signature.warnings,
    ...unsupportedWarnings(signature.unsupported ?? []),
  ]);
  const main = mainObjectOf(signature);
  const rows = objectCallables(main).map((c) => [c.cliName, firstLine(c.doc)] as const);
  if (rows.length === 0) {
    const e = noFunctions(signature.moduleName, main.name);
    io.stderr.write(`warning: ${e.message}: ${e.hint}\n`);
  }
  io.stdout.write(`${formatTable([["Name", "Description"], ...rows], "")}\n`);
  return 0;
}
