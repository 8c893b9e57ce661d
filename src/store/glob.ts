// Glob patterns the user writes (ignore rules, Directory.glob, `gantry check` names) go through picomatch, and only
// through here. picomatch 4.0.7 loops forever on a run of three or more backslashes that reaches a pattern's end (its
// parser skips the run, then reads past the end): a fuzz test found `**\\\\` hanging a run. Such a run is refused
// before picomatch sees it — the pattern matches nothing and its warning or error says why.
import { createRequire } from "node:module";
import type picomatchApi from "picomatch";

// Required, not imported: an ESM import of a CommonJS package makes Node scan it for named exports first.
const picomatch = createRequire(import.meta.url)("picomatch") as typeof picomatchApi;

/** Why picomatch must not be given the pattern, or undefined when it may. */
export function unsafeGlob(pattern: string): string | undefined {
  return /\\{3}/.test(pattern)
    ? 'three or more "\\" in a row; a name with a backslash is matched by "?" or "\\\\"'
    : undefined;
}

/** A matcher for the pattern; one that matches nothing when the pattern is unsafe (see unsafeGlob). */
export function globMatcher(
  pattern: string,
  opts: picomatchApi.PicomatchOptions,
): (input: string) => boolean {
  return unsafeGlob(pattern) ? () => false : picomatch(pattern, opts);
}

/** picomatch's regex for the pattern (undefined when the pattern is unsafe). */
export function globRegex(
  pattern: string,
  opts: picomatchApi.PicomatchOptions,
): RegExp | undefined {
  return unsafeGlob(pattern) ? undefined : picomatch.makeRe(pattern, opts);
}
