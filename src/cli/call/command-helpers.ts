// Small steps `functions` and `call` share: finding -m early, and printing config warnings.
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";

/**
 * `-m DIR` may come after the command word (`gantry call -m ci test`), but the module must be found
 * before the rest can be parsed against its signature; so `-m`/`--mod` are read ahead (they are
 * reserved: a module parameter cannot be named `mod`).
 */
export function prescanModFlag(tokens: readonly string[], globals: GlobalOptions): void {
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as string;
    if (tok === "-m" || tok === "--mod") {
      const v = tokens[i + 1];
      if (v !== undefined) globals.mod = v;
    } else if (tok.startsWith("-m=") || tok.startsWith("--mod=")) {
      globals.mod = tok.slice(tok.indexOf("=") + 1);
    }
  }
}

/** Config and introspection warnings, on stderr, once per command. */
export function printWarnings(io: CliIo, warnings: readonly string[]): void {
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
}
