// Reads one function's flags off the command line: `--x=v`, `--x v`, booleans, repeated and comma-separated lists.
import { UsageError } from "../errors.js";
import { matchesName, suggestion, toKebabCase } from "./names.js";
import type { ParamSignature } from "./signature.js";

/** A flag's text before conversion: lists collect every value, booleans are already parsed. */
export type RawValue = string | string[] | boolean;

export interface FlagTarget {
  /** How messages name what the flags belong to: `function test`, `constructor`, `export`. */
  owner: string;
  params: readonly ParamSignature[];
  /** Values read so far, by parameter name (several segments may fill one target). */
  values: Map<string, RawValue>;
}

/** Tries flags no target knows (global flags such as --progress); returns the index after what it used. */
export type UnknownFlagHook = (
  name: string,
  inline: string | undefined,
  tokens: readonly string[],
  i: number,
) => number | undefined;

export interface SegmentResult {
  /** Index of the first token that is not a flag (the next chain word), or tokens.length. */
  next: number;
  help: boolean;
}

// `--flag=value` → ["flag", "value"]; `--flag` → ["flag", undefined]; short flags keep their dash (`-m`).
function splitFlag(token: string): [string, string | undefined] {
  const eq = token.indexOf("=");
  const head = eq < 0 ? token : token.slice(0, eq);
  return [head.startsWith("--") ? head.slice(2) : head, eq < 0 ? undefined : token.slice(eq + 1)];
}

/**
 * `true`/`false` (and 1/0, yes/no) for `--fast=…`; anything else is a usage error naming the flag. `flag` is a long
 * flag's name without its dashes, or a short flag with its dash (`-v`).
 */
export function parseBoolean(flag: string, text: string): boolean {
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  const shown = flag.startsWith("-") ? flag : `--${flag}`;
  throw new UsageError(
    `${shown} is a boolean flag: write ${shown} or ${shown}=false, not ${shown}=${text}`,
  );
}

/** The flags a target accepts, as typed on the command line. */
export function flagNames(params: readonly ParamSignature[]): string[] {
  return params.map((p) => toKebabCase(p.name));
}

// Finds the target and parameter a flag names; earlier targets win (a function's own flags before the constructor's).
function lookup(
  targets: readonly FlagTarget[],
  name: string,
): [FlagTarget, ParamSignature] | undefined {
  for (const t of targets) {
    const p = t.params.find((q) => matchesName(name, q.name));
    if (p) return [t, p];
  }
  return undefined;
}

/**
 * The command whose own flags `onUnknown` reads, for the message when a flag is neither the targets' nor the
 * command's; `flags` are the command's as typed (`-o/--output`).
 */
export interface UnknownFlagContext {
  /** What the targets are (`ci's constructor`); none when the command's flags are all there is. */
  what?: string;
  command: string;
  flags: readonly string[];
}

// The usage error for a flag nobody knows: what the targets take, and the command's own flags when the hook reads some.
function unknownFlag(
  name: string,
  targets: readonly FlagTarget[],
  context: UnknownFlagContext | undefined,
): UsageError {
  const known = targets.flatMap((t) => flagNames(t.params));
  const shown = name.startsWith("-") ? name : `--${name}`;
  const list =
    known.length > 0
      ? `its flags are ${known.map((f) => `--${f}`).join(", ")}`
      : "it takes no flags";
  if (!context) {
    const owner = targets[0]?.owner ?? "the command";
    return new UsageError(
      `unknown flag ${shown} for ${owner}: ${list}.${suggestion(name, known, "--")}`,
    );
  }
  // long names only: a typo of `--jsn` is closest to `json`, and `-o` is one letter
  const commandLong = context.flags.flatMap((f) =>
    f
      .split("/")
      .filter((x) => x.startsWith("--"))
      .map((x) => x.slice(2)),
  );
  const whose = `${context.command}, whose flags are ${context.flags.join(", ")}`;
  const what = context.what
    ? `neither a flag of ${context.what} (${list}) nor of`
    : "not a flag of";
  return new UsageError(
    `unknown flag ${shown}: it is ${what} ${whose}.${suggestion(name, [...known, ...commandLong], "--")}`,
  );
}

/**
 * Parse flags from `start` until a word that is not a flag; values go into the target owning each
 * flag. `lenient` skips unknown flags (used while showing help).
 */
export function parseFlags(
  tokens: readonly string[],
  start: number,
  targets: readonly FlagTarget[],
  opts: { onUnknown?: UnknownFlagHook; lenient?: boolean; unknown?: UnknownFlagContext } = {},
): SegmentResult {
  let help = false;
  let i = start;
  for (; i < tokens.length; i++) {
    const tok = tokens[i] as string;
    if (tok === "--help" || tok === "-h") {
      help = true;
      continue;
    }
    // a word (the next chain step), `--`, or a negative number ends the flags
    if (!tok.startsWith("-") || tok === "--" || /^-\d/.test(tok)) break;
    const [name, inline] = splitFlag(tok);
    const found = name.startsWith("-") ? undefined : lookup(targets, name);
    if (!found) {
      const after = opts.onUnknown?.(name, inline, tokens, i);
      if (after !== undefined) {
        i = after - 1;
        continue;
      }
      // when help was asked for, a wrong flag must not hide the help that explains the right ones
      if (help || opts.lenient) continue;
      throw unknownFlag(name, targets, opts.unknown);
    }
    const [target, param] = found;
    const flag = toKebabCase(param.name);
    if (param.type.kind === "boolean") {
      target.values.set(param.name, inline === undefined ? true : parseBoolean(flag, inline));
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = tokens[i + 1];
      if (value === undefined)
        throw new UsageError(`--${flag} needs a value: write --${flag}=VALUE`);
      i++;
    }
    const prev = target.values.get(param.name);
    if (param.type.kind === "list") {
      const items = value === "" ? [] : value.split(",");
      target.values.set(param.name, [...(Array.isArray(prev) ? prev : []), ...items]);
    } else if (prev !== undefined) {
      throw new UsageError(`--${flag} was given twice for ${target.owner}: give it once`);
    } else {
      target.values.set(param.name, value);
    }
  }
  return { next: i, help };
}
