// Flags every command understands (-m, --runtime, --progress, --verbose, --debug, --help…), wherever they appear.
import type { GantryEnv } from "../env.js";
import { UsageError } from "../errors.js";
import { parseBoolean } from "../module/parse-flags.js";

export type RuntimeChoice = "docker" | "host" | "auto";
export type ProgressMode = "auto" | "tty" | "plain" | "json";

export interface GlobalOptions {
  mod?: string;
  runtime: RuntimeChoice;
  progress: ProgressMode;
  help: boolean;
  version: boolean;
  /** -v/--verbose: every step and all its output stay on screen. */
  verbose: boolean;
  /** --debug (or GANTRY_DEBUG=1): ids, digests, Gantry's own notes, stack traces. */
  debug: boolean;
  /** --no-color: as NO_COLOR. */
  noColor: boolean;
  /** --explain: say, for every step that ran, which inputs changed (gantry call). */
  explain: boolean;
  /** --dry-run: print the plan and what would come from cache; run nothing (gantry call). */
  dryRun: boolean;
  /** -i/--interactive: open a shell in a failed exec's container (gantry call). */
  interactive: boolean;
}

export interface ParsedArgv {
  globals: GlobalOptions;
  /** The first word that is not a global flag. */
  command?: string;
  /** Everything after the command, for the command to parse. */
  rest: string[];
}

/** The global flags as a person types them, for messages that list them. */
export const GLOBAL_FLAG_NAMES = [
  "-m/--mod",
  "--runtime",
  "--progress",
  "-v/--verbose",
  "--debug",
  "--no-color",
  "--explain",
  "--dry-run",
  "-i/--interactive",
  "--help",
  "--version",
] as const;

const RUNTIMES: readonly RuntimeChoice[] = ["docker", "host", "auto"];

/** Whether `value` names a runtime (`--runtime`, GANTRY_RUNTIME). */
export function isRuntimeChoice(value: string | undefined): value is RuntimeChoice {
  return (RUNTIMES as readonly (string | undefined)[]).includes(value);
}
const PROGRESS: readonly ProgressMode[] = ["auto", "tty", "plain", "json"];

// A flag whose value must be one of a few words; the message lists them.
function oneOf<T extends string>(
  flag: string,
  value: string,
  allowed: readonly T[],
  source = `--${flag}`,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(
    `${source} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`,
  );
}

/** Defaults from the environment (GANTRY_RUNTIME, GANTRY_PROGRESS), checked like flags. */
export function defaultGlobals(env: GantryEnv): GlobalOptions {
  return {
    runtime: env.runtime ? oneOf("runtime", env.runtime, RUNTIMES, "GANTRY_RUNTIME") : "auto",
    progress: env.progress ? oneOf("progress", env.progress, PROGRESS, "GANTRY_PROGRESS") : "auto",
    help: false,
    version: false,
    verbose: false,
    debug: env.debug,
    noColor: false,
    explain: false,
    dryRun: false,
    interactive: false,
  };
}

/**
 * Consume a global flag at `tokens[i]` (`name` without its dashes for long flags, `-m` for short);
 * returns the index after it, or undefined when it is not a global flag.
 */
export function consumeGlobalFlag(
  g: GlobalOptions,
  name: string,
  inline: string | undefined,
  tokens: readonly string[],
  i: number,
): number | undefined {
  const takesValue = ["mod", "-m", "runtime", "progress"].includes(name);
  if (!takesValue) {
    const on = (): boolean => (inline === undefined ? true : parseBoolean(name, inline));
    // `--dry-run=false` is off, as a function's boolean flag would be (a script passing `--dry-run=$DRY` must not
    // get a dry run from DRY=false); `--dry-run=maybe` is refused
    if (name === "version") g.version = on();
    else if (name === "help" || name === "-h") g.help = on();
    else if (name === "verbose" || name === "-v") g.verbose = on();
    else if (name === "debug") g.debug = on();
    else if (name === "no-color") g.noColor = on();
    else if (name === "explain") g.explain = on();
    else if (name === "dry-run") g.dryRun = on();
    else if (name === "interactive" || name === "-i") g.interactive = on();
    else return undefined;
    return i + 1;
  }
  const value = inline ?? tokens[i + 1];
  const shown = name.startsWith("-") ? name : `--${name}`;
  if (value === undefined) throw new UsageError(`${shown} needs a value`);
  if (name === "mod" || name === "-m") g.mod = value;
  else if (name === "runtime") g.runtime = oneOf("runtime", value, RUNTIMES);
  else g.progress = oneOf("progress", value, PROGRESS);
  return inline === undefined ? i + 2 : i + 1;
}

/** Split `--flag=value` / `-m=dir` into its name (dashes stripped for long flags) and inline value. */
export function splitFlagToken(tok: string): [string, string | undefined] {
  const eq = tok.indexOf("=");
  const head = eq < 0 ? tok : tok.slice(0, eq);
  const name = head.startsWith("--") ? head.slice(2) : head;
  return [name, eq < 0 ? undefined : tok.slice(eq + 1)];
}

/** Read global flags up to the command word; the command parses the rest (and may hand globals back here). */
export function parseArgv(argv: readonly string[], env: GantryEnv): ParsedArgv {
  const globals = defaultGlobals(env);
  let i = 0;
  while (i < argv.length) {
    const tok = argv[i] as string;
    if (!tok.startsWith("-")) return { globals, command: tok, rest: argv.slice(i + 1) };
    const [name, inline] = splitFlagToken(tok);
    const next = consumeGlobalFlag(globals, name, inline, argv, i);
    if (next === undefined) {
      throw new UsageError(`unknown flag ${tok}: global flags are ${GLOBAL_FLAG_NAMES.join(", ")}`);
    }
    i = next;
  }
  return { globals, rest: [] };
}
