// `gantry develop`: write the module's editor types (Dagger's `dagger develop` for its SDK).
import { UsageError } from "../../errors.js";
import { findModule } from "../../module/find-module.js";
import type { CliIo } from "../cli-io.js";
import { consumeGlobalFlag, splitFlagToken, type GlobalOptions } from "../global-flags.js";
import { GLOBAL_FLAGS_HELP } from "../help-text.js";
import { shownPath } from "../init/init-command.js";
import { writeEditorTypes } from "./editor-types.js";

const HELP = `Write the module's editor types: Gantry's SDK declarations into <source>/sdk/ (gitignored) and, when
the module has none, a tsconfig.json mapping "gantry" and "@dagger.io/dagger" to them, so an editor and tsc check
the module. Run it again after upgrading Gantry. (Dagger's \`dagger develop\`.)

Usage: gantry develop [-m DIR]

${GLOBAL_FLAGS_HELP}`;

/** Run `gantry develop …`; `rest` is everything after the word `develop`. */
export async function runDevelop(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
): Promise<number> {
  for (let i = 0; i < rest.length;) {
    const tok = rest[i] as string;
    if (tok === "--help" || tok === "-h") {
      io.stdout.write(HELP);
      return 0;
    }
    const [name, inline] = splitFlagToken(tok);
    const next = consumeGlobalFlag(globals, name, inline, rest, i);
    if (next === undefined)
      throw new UsageError(`gantry develop: unknown argument ${tok}: it takes [-m DIR]`);
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
  const t = writeEditorTypes(mod.sourceDir);
  const rel = (f: string) => shownPath(io.cwd, f);
  io.stdout.write(
    `Wrote ${t.files} declaration files into ${rel(t.sdkDir)}/ (gitignored)` +
      (t.wroteTsconfig
        ? ` and ${rel(t.tsconfig)}.\n`
        : `; ${rel(t.tsconfig)} was kept: map "gantry" to ./sdk/index.d.ts in its paths if it does not.\n`),
  );
  return 0;
}
