// Small steps `functions` and `call` share: finding -m early, and printing config warnings.
import type { CliIo } from "../cli-io.js";
import { isRuntimeChoice, splitFlagToken, type GlobalOptions } from "../global-flags.js";
import type { UnsupportedCall } from "../../module/signature.js";
import { UnsupportedError } from "../../errors.js";
import type { RuntimeChoice } from "../../runtime/open-runtime.js";

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

/**
 * The runtime this command line asks for, read ahead like `-m` so that what opening it waits for can start while the
 * module is read (prepareRuntime): the last `--runtime` wins, as it does when the flags are parsed, else the global
 * setting (a flag before the command, GANTRY_RUNTIME). A module parameter named `runtime` would make this a guess that
 * only costs a probe: openRuntime uses what was started only for the runtime it was started for.
 */
export function runtimeAhead(tokens: readonly string[], globals: GlobalOptions): RuntimeChoice {
  let choice = globals.runtime;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as string;
    const [name, inline] = splitFlagToken(tok);
    if (!tok.startsWith("--") || name !== "runtime") continue;
    const value = inline ?? tokens[i + 1];
    if (isRuntimeChoice(value)) choice = value;
  }
  return choice;
}

/** Config and introspection warnings, on stderr, once per command. */
export function printWarnings(io: CliIo, warnings: readonly string[]): void {
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
}

/** One unsupported call as a person reads it: `Container.withUnixSocket at src/index.ts:12:7 (in build)`. */
function describeCall(c: UnsupportedCall): string {
  return `${c.call} at ${c.at}${c.fn ? ` (in ${c.fn})` : ""}`;
}

/** Warnings for every call of Dagger core API Gantry lacks (`gantry functions`, and calls of other functions). */
export function unsupportedWarnings(calls: readonly UnsupportedCall[]): string[] {
  return calls.map(
    (c) =>
      `${describeCall(c)}: this Dagger core API is not in Gantry yet, so that code fails if it runs`,
  );
}

/**
 * Before anything runs: the calls of missing Dagger API that the called function's own body or the module's
 * other code (helpers, other objects) makes fail the command; those in other main-object functions only warn.
 */
export function checkUnsupportedCalls(
  io: CliIo,
  calls: readonly UnsupportedCall[],
  fnName: string | undefined,
): void {
  const blocking = calls.filter((c) => c.fn === undefined || c.fn === fnName);
  printWarnings(io, unsupportedWarnings(calls.filter((c) => !blocking.includes(c))));
  if (blocking.length === 0) return;
  throw new UnsupportedError(
    `the module calls Dagger core API that Gantry does not have yet:\n${blocking.map((c) => `  ${describeCall(c)}`).join("\n")}`,
    { hint: "docs/dagger-compat.md lists what Gantry supports; replace or remove these calls" },
  );
}
