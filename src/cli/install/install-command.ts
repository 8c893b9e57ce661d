// `gantry install REF`: add a module dependency (a local folder or a git ref, pinned) to the module's dagger.json.
import { UsageError } from "../../errors.js";
import { findModule } from "../../module/find-module.js";
import { installDependency } from "../../module/install-dependency.js";
import { prescanModFlag } from "../call/command-helpers.js";
import type { CliIo } from "../cli-io.js";
import { consumeGlobalFlag, splitFlagToken, type GlobalOptions } from "../global-flags.js";
import { GLOBAL_FLAGS_HELP } from "../help-text.js";

const HELP = `Add a module dependency to dagger.json; the module's code calls it as dag.<name>().

Usage: gantry install REF [--name=NAME] [GLOBAL FLAGS]

REF is a local folder (../lib), or a git ref: file:///path/repo//subfolder@ref,
https://host/repo.git//subfolder@ref, or github.com/org/repo/subfolder@ref. A git ref is pinned
to the commit it resolves to now.

${GLOBAL_FLAGS_HELP}`;

/** Run `gantry install …`; `rest` is everything after the word `install`. */
export async function runInstall(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
): Promise<number> {
  prescanModFlag(rest, globals);
  const refs: string[] = [];
  let name: string | undefined;
  for (let i = 0; i < rest.length;) {
    const tok = rest[i] as string;
    const [flag, inline] = splitFlagToken(tok);
    if (tok.startsWith("--") && flag === "name") {
      name = inline ?? rest[i + 1];
      i += inline === undefined ? 2 : 1;
      continue;
    }
    const next = tok.startsWith("-")
      ? consumeGlobalFlag(globals, flag, inline, rest, i)
      : undefined;
    if (next !== undefined) {
      i = next;
      continue;
    }
    if (tok.startsWith("-")) throw new UsageError(`gantry install: unknown flag ${tok}`);
    refs.push(tok);
    i++;
  }
  if (globals.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (refs.length !== 1 || (name !== undefined && !name))
    throw new UsageError(
      "gantry install takes one REF (a folder or a git ref), e.g. gantry install ../lib",
    );
  const mod = findModule({
    cwd: io.cwd,
    ...(globals.mod !== undefined ? { modDir: globals.mod } : {}),
  });
  const dep = await installDependency(mod, refs[0] as string, {
    cwd: io.cwd,
    stateDir: io.env.stateDir,
    ...(name ? { name } : {}),
  });
  io.stdout.write(
    `installed ${dep.name} from ${dep.source}${dep.pin ? ` (pinned to ${dep.pin.slice(0, 12)})` : ""}\n`,
  );
  return 0;
}
