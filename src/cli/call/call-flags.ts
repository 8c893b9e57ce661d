// `gantry call`'s own flags (Dagger's `dagger call -o PATH` and `--json`), read wherever a function has no flag of
// that name, as the global flags are.
import { UsageError } from "../../errors.js";
import { parseBoolean, type UnknownFlagContext } from "../../module/parse-flags.js";
import { consumeGlobalFlag, GLOBAL_FLAG_NAMES, type GlobalOptions } from "../global-flags.js";

export interface ResultOptions {
  /** -o/--output PATH: where the result goes on the host, relative to the cwd. */
  output?: string;
  /** --json: print the result as JSON. */
  json: boolean;
}

/** The command's own flags as typed, for help and for the message naming them. */
export const CALL_FLAG_NAMES = ["-o/--output", "--json"] as const;

export const CALL_FLAGS_HELP = `Flags of this command (before FUNCTION, or anywhere a function has no flag of that name):
  -o, --output PATH      save the result on the host: a Directory or File is exported there, a Container as an
                         image tarball, anything else written as text (or JSON); the path is relative to the current folder
  --json                 print the result as JSON: scalars and lists as JSON values, objects as their fields
`;

/** Consume `-o/--output` or `--json` at `tokens[i]`; the index after it, or undefined when it is neither. */
export function consumeCallFlag(
  opts: ResultOptions,
  name: string,
  inline: string | undefined,
  tokens: readonly string[],
  i: number,
): number | undefined {
  if (name === "json") {
    opts.json = inline === undefined ? true : parseBoolean(name, inline);
    return i + 1;
  }
  if (name !== "output" && name !== "-o") return undefined;
  const shown = name === "-o" ? "-o" : "--output";
  const value = inline ?? tokens[i + 1];
  if (value === undefined || value === "")
    throw new UsageError(
      `${shown} needs a path: write ${shown}=PATH (relative to the current folder)`,
    );
  if (opts.output !== undefined) throw new UsageError(`${shown} was given twice: give one path`);
  opts.output = value;
  return inline === undefined ? i + 2 : i + 1;
}

/** The hook `parseFlags` calls for a flag no function takes: a global flag, or one of the command's own. */
export function callFlagHook(globals: GlobalOptions, result: ResultOptions) {
  return (name: string, inline: string | undefined, tokens: readonly string[], i: number) =>
    consumeGlobalFlag(globals, name, inline, tokens, i) ??
    consumeCallFlag(result, name, inline, tokens, i);
}

/** For an unknown flag before the function: it is neither the constructor's (`what`) nor the command's. */
export function callFlagContext(command: string, what?: string): UnknownFlagContext {
  return { command, flags: [...CALL_FLAG_NAMES, ...GLOBAL_FLAG_NAMES], ...(what ? { what } : {}) };
}
