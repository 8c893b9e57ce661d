// Commands that take a few positional words and their own flags (report, cache explain, ci generate, doctor).
import { UsageError } from "../errors.js";
import { prescanModFlag } from "./call/command-helpers.js";
import { consumeGlobalFlag, splitFlagToken, type GlobalOptions } from "./global-flags.js";

/** Positional words and global flags of a command that takes a few positionals (report, cache explain). */
export function splitPositionals(
  rest: readonly string[],
  globals: GlobalOptions,
  own: Record<string, (v: string | undefined) => void> = {},
): string[] {
  prescanModFlag(rest, globals);
  const words: string[] = [];
  for (let i = 0; i < rest.length;) {
    const tok = rest[i] as string;
    if (!tok.startsWith("-") || /^-\d/.test(tok)) {
      words.push(tok);
      i++;
      continue;
    }
    const [name, inline] = splitFlagToken(tok);
    const setter = own[name];
    if (setter) {
      const value = inline ?? rest[i + 1];
      setter(value);
      i += inline === undefined ? 2 : 1;
      continue;
    }
    const next = consumeGlobalFlag(globals, name, inline, rest, i);
    if (next === undefined)
      throw new UsageError(
        `unknown flag ${tok}: this command takes ${
          Object.keys(own)
            .map((f) => `--${f}`)
            .join(", ") || "no flags of its own"
        } and the global flags`,
      );
    i = next;
  }
  return words;
}
