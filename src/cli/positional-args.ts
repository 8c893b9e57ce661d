// Commands that take a few positional words and their own flags (report, cache explain, ci generate, doctor).
import { UsageError } from "../errors.js";
import { prescanModFlag } from "./call/command-helpers.js";
import { consumeGlobalFlag, splitFlagToken, type GlobalOptions } from "./global-flags.js";

/**
 * Positional words of a command, with its own flags (`valued`: take a value; `switches`: take none) and the
 * global flags wherever they appear. An unknown flag is a usage error naming the ones that exist.
 */
export function splitPositionals(
  rest: readonly string[],
  globals: GlobalOptions,
  valued: Record<string, (v: string | undefined) => void> = {},
  switches: Record<string, () => void> = {},
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
    const setter = valued[name];
    if (setter) {
      setter(inline ?? rest[i + 1]);
      i += inline === undefined ? 2 : 1;
      continue;
    }
    const flip = switches[name];
    if (flip && inline === undefined) {
      flip();
      i++;
      continue;
    }
    const next = consumeGlobalFlag(globals, name, inline, rest, i);
    if (next === undefined) {
      const own = [...Object.keys(valued), ...Object.keys(switches)].map((f) => `--${f}`);
      throw new UsageError(
        `unknown flag ${tok}: this command takes ${own.join(", ") || "no flags of its own"} and the global flags`,
      );
    }
    i = next;
  }
  return words;
}
