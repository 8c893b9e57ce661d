// The module's own files are the entry plus what it imports by relative path; both digests and introspection walk them.
import fs from "node:fs";
import path from "node:path";
import { aliasTargets, type TsconfigPaths } from "./tsconfig-paths.js";

// Static imports, re-exports, side-effect imports and literal dynamic imports; over-matching is harmless.
const SPECIFIER =
  /\b(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\bimport\s+["']([^"']+)["']/g;

const TS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts"];

/** Relative specifiers in a file's text (`./x.js`, `../y`), in order of appearance. */
export function scanRelativeSpecifiers(text: string): string[] {
  return scanSpecifiers(text).filter((s) => s.startsWith("./") || s.startsWith("../"));
}

/** Every specifier in a file's text, in order of appearance. */
function scanSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec !== undefined) out.push(spec);
  }
  return out;
}

// True when p is an existing regular file.
function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** The file a relative specifier names, with TypeScript's `.js` → `.ts` mapping; undefined when none exists. */
export function resolveLocalImport(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  const ext = path.extname(base);
  const stem = [".js", ".jsx", ".mjs", ".cjs"].includes(ext) ? base.slice(0, -ext.length) : base;
  const candidates = [
    ...TS_EXTENSIONS.map((e) => stem + e),
    base,
    ...TS_EXTENSIONS.map((e) => path.join(base, "index" + e)),
  ];
  return candidates.find(isFile);
}

/**
 * Every local file reachable from the entry (by relative path, or a tsconfig alias when given), and inside
 * `within` when given; entry first, each read once.
 */
export function collectLocalFiles(
  entry: string,
  within?: string,
  aliases?: TsconfigPaths,
): Map<string, string> {
  const files = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (files.has(file)) continue;
    const text = fs.readFileSync(file, "utf8");
    files.set(file, text);
    if (!TS_EXTENSIONS.includes(path.extname(file)) && !/\.[cm]?js$/.test(file)) continue;
    for (const spec of scanSpecifiers(text)) {
      const target =
        spec.startsWith("./") || spec.startsWith("../")
          ? resolveLocalImport(file, spec)
          : aliases &&
            aliasTargets(spec, aliases)
              .map((t) => resolveLocalImport(file, t))
              .find(Boolean);
      if (target === undefined || files.has(target)) continue;
      if (within !== undefined && path.relative(within, target).startsWith("..")) continue;
      queue.push(target);
    }
  }
  return files;
}
