// Include/exclude patterns with .dockerignore (buildkit patternmatcher) semantics, shared by host hashing and tree ops.
import path from "node:path";
import { globMatcher, globRegex, unsafeGlob } from "./glob.js";

/** Which paths of a tree a filter keeps; paths are relative, POSIX, without a leading "/". */
export interface PathFilter {
  /** True when this path itself is selected (a kept parent of a selected path need not be). */
  includes(relPath: string, isDir: boolean): boolean;
  /** False only when nothing strictly below `relDir` can be selected, so a walker may skip it. */
  mayContain(relDir: string): boolean;
}

export interface FilterOptions {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

interface Rule {
  /** A "!pattern": re-includes in an exclude list, de-selects in an include list. */
  readonly negated: boolean;
  /** "build/" matches only directories (and, like every pattern, everything below a match). */
  readonly dirOnly: boolean;
  readonly match: (p: string) => boolean;
  /** Per-segment matchers, or undefined when a "/" sits inside a brace or class and splitting is unsafe. */
  readonly segments: readonly (((s: string) => boolean) | "**")[] | undefined;
}

/**
 * Why a pattern is malformed (an unclosed "[" or "{", an empty range), or undefined when it is well-formed.
 * Such a pattern silently ignores nothing, so callers warn about it as docker does, and still run.
 * `gitignore` syntax has no braces: there `{a,b` is an ordinary name.
 */
export function malformedPattern(
  pattern: string,
  syntax: "glob" | "gitignore" = "glob",
): string | undefined {
  const p = pattern.replace(/^!/, "");
  const unsafe = unsafeGlob(p);
  if (unsafe) return unsafe;
  let braces = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") i++;
    else if (c === "[") {
      // a class may start with "]" (or "!]", "^]"): that bracket is a member, not the end
      let j = i + 1;
      if (p[j] === "!" || p[j] === "^") j++;
      if (p[j] === "]") j++;
      const end = p.indexOf("]", j);
      if (end < 0) return 'an unclosed "["';
      i = end;
    } else if (syntax === "glob" && c === "{") braces++;
    else if (syntax === "glob" && c === "}" && braces > 0) braces--;
  }
  if (braces > 0) return 'an unclosed "{"';
  // picomatch compiles what it cannot parse (an empty range such as [z-a]) to a regex that matches nothing
  if (syntax === "glob" && globRegex(cleanPattern(p) || "**", { dot: true })?.source === "$^")
    return "not a valid pattern";
  return undefined;
}

/** One warning per malformed pattern, naming it and where it was written (e.g. `.dockerignore:3`). */
export function patternWarnings(
  patterns: readonly string[],
  source: string,
  syntax: "glob" | "gitignore" = "glob",
): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    const why = malformedPattern(pattern, syntax);
    if (why) {
      out.push(
        `${source}: ignore pattern ${JSON.stringify(pattern)} is malformed (${why}), so it ignores nothing: ` +
          `fix it, or escape the character with "\\" to mean it literally`,
      );
    }
  }
  return out;
}

/** A filter that keeps everything, so callers need no special case for "no filter". */
export const ALL_PATHS: PathFilter = { includes: () => true, mayContain: () => true };

// Build the filter once per call site; rules are compiled to picomatch regexes up front.
export function makePathFilter(opts: FilterOptions = {}): PathFilter {
  const include = compileRules(opts.include ?? []);
  const exclude = compileRules(opts.exclude ?? []);
  if (include.length === 0 && exclude.length === 0) return ALL_PATHS;
  const selectedByInclude = (r: Rule) => !r.negated;
  const keptByExclude = (r: Rule) => r.negated;
  return {
    includes: (relPath, isDir) =>
      decide(include, relPath, isDir, include.length === 0, selectedByInclude) &&
      decide(exclude, relPath, isDir, true, keptByExclude),
    mayContain: (relDir) =>
      relDir === "" ||
      ((include.length === 0 || canSelectBelow(include, relDir, false, selectedByInclude)) &&
        canSelectBelow(exclude, relDir, true, keptByExclude)),
  };
}

// Patterns are cleaned the way buildkit cleans them, so "./src/", "/src" and "src/" mean the same thing.
function compileRules(patterns: readonly string[]): Rule[] {
  const rules: Rule[] = [];
  for (const raw of patterns) {
    let p = raw;
    const negated = p.startsWith("!");
    if (negated) p = p.slice(1);
    if (p === "") continue;
    const dirOnly = p.endsWith("/");
    p = cleanPattern(p);
    if (p === "" || p === ".") p = "**";
    rules.push({
      negated,
      dirOnly,
      match: globMatcher(p, { dot: true }),
      segments: splitSegments(p),
    });
  }
  return rules;
}

// "./src/", "/src" and "src/" all become "src".
function cleanPattern(p: string): string {
  return path.posix
    .normalize(p)
    .replace(/^(\.\/|\/)+/, "")
    .replace(/\/+$/, "");
}

// Segment matchers let mayContain test a directory against a pattern's leading segments.
function splitSegments(pattern: string): Rule["segments"] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (c === "{" || c === "[" || c === "(") depth++;
    else if ((c === "}" || c === "]" || c === ")") && depth > 0) depth--;
    else if (c === "/") {
      if (depth > 0) return undefined;
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(pattern.slice(start));
  return parts.map((s) => (s === "**" ? "**" : globMatcher(s, { dot: true })));
}

// "a/b/c" → ["a", "a/b"]: a pattern matching a parent directory matches everything below it.
function ancestorsOf(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1)) out.push(p.slice(0, i));
  return out;
}

// True when the rule matches `p` itself or one of its parent directories.
function ruleCovers(rule: Rule, p: string, isDir: boolean, ancestors: readonly string[]): boolean {
  if ((isDir || !rule.dirOnly) && rule.match(p)) return true;
  return ancestors.some((a) => rule.match(a));
}

// The last rule that covers a path decides it (as in .dockerignore); no rule leaves the default.
function decide(
  rules: readonly Rule[],
  p: string,
  isDir: boolean,
  fallback: boolean,
  selects: (r: Rule) => boolean,
): boolean {
  if (rules.length === 0) return fallback;
  const ancestors = ancestorsOf(p);
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    if (ruleCovers(rule, p, isDir, ancestors)) return selects(rule);
  }
  return fallback;
}

// Only rules after the last one covering `dir` can change what happens below it, so check just those.
function canSelectBelow(
  rules: readonly Rule[],
  dir: string,
  fallback: boolean,
  selects: (r: Rule) => boolean,
): boolean {
  const ancestors = ancestorsOf(dir);
  let from = 0;
  for (let i = rules.length - 1; i >= 0; i--) {
    if (ruleCovers(rules[i]!, dir, true, ancestors)) {
      if (selects(rules[i]!)) return true;
      from = i + 1;
      break;
    }
  }
  if (from === 0 && fallback) return true;
  const dirSegments = dir.split("/");
  return rules.slice(from).some((r) => selects(r) && mayMatchBelow(r, dirSegments));
}

// Could the rule match some path strictly below the directory? Conservative when unsure.
function mayMatchBelow(rule: Rule, dir: readonly string[]): boolean {
  const segs = rule.segments;
  if (!segs) return true;
  const seen = new Set<number>();
  const step = (i: number, j: number): boolean => {
    if (j === dir.length) return i < segs.length;
    const key = i * (dir.length + 1) + j;
    if (i === segs.length || seen.has(key)) return false;
    seen.add(key);
    const seg = segs[i]!;
    if (seg === "**") return step(i + 1, j) || step(i, j + 1);
    return seg(dir[j]!) && step(i + 1, j + 1);
  };
  return step(0, 0);
}
