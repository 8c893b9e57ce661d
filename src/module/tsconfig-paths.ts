// A module's tsconfig.json `paths` aliases (`@/lib/*` → `src/lib/*`): esbuild bundles the aliased files, and the
// digest and introspection walk them like relative imports. Read without TypeScript, so a warm load stays cheap.
import fs from "node:fs";
import path from "node:path";

export interface TsconfigPaths {
  /** The tsconfig.json the aliases come from (part of the module's digest). */
  file: string;
  /** Every config of the `extends` chain that was read, nearest first (all part of the module's digest). */
  files: string[];
  /** Absolute folder the alias targets are relative to (`baseUrl`, else the tsconfig's folder). */
  baseUrl: string;
  paths: Record<string, string[]>;
}

/** tsconfig.json is JSON with comments and trailing commas; strip both outside strings. */
function parseJsonc(text: string): unknown {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') {
      const end = /"(?:[^"\\]|\\.)*"/y;
      end.lastIndex = i;
      const m = end.exec(text);
      out += m ? m[0] : c;
      i += m ? m[0].length - 1 : 0;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2);
      if (i < 0) break;
      i++;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}

/** The nearest tsconfig.json from the entry's folder up to the module's root, if it (or a config it extends) declares `paths`. */
export function readTsconfigPaths(entry: string, rootDir: string): TsconfigPaths | undefined {
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    const file = path.join(dir, "tsconfig.json");
    if (fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return resolveChain(file);
    if (dir === rootDir || path.dirname(dir) === dir) return undefined;
  }
}

type CompilerOptions = { baseUrl?: unknown; paths?: unknown };

// Follow `extends` as TypeScript does: the nearest config that sets `paths` wins, `baseUrl` likewise, each relative
// to the config that sets it (a `paths` without any `baseUrl` is relative to its own config's folder).
function resolveChain(first: string): TsconfigPaths | undefined {
  const files: string[] = [];
  let paths: { value: Record<string, string[]>; file: string } | undefined;
  let baseUrl: string | undefined;
  for (let file: string | undefined = first; file && !files.includes(file);) {
    files.push(file);
    let json: { extends?: unknown; compilerOptions?: CompilerOptions };
    try {
      json = parseJsonc(fs.readFileSync(file, "utf8")) as typeof json;
    } catch {
      break;
    }
    const opts = json.compilerOptions ?? {};
    const dir = path.dirname(file);
    if (!paths && opts.paths && typeof opts.paths === "object")
      paths = { value: opts.paths as Record<string, string[]>, file };
    if (baseUrl === undefined && typeof opts.baseUrl === "string")
      baseUrl = path.resolve(dir, opts.baseUrl);
    // TypeScript 5 allows a list; the last one has the final say, so it is the nearest base here
    const ext = Array.isArray(json.extends) ? json.extends.at(-1) : json.extends;
    file = typeof ext === "string" ? extendedConfig(ext, dir) : undefined;
  }
  if (!paths) return undefined;
  return {
    file: paths.file,
    files,
    baseUrl: baseUrl ?? path.dirname(paths.file),
    paths: paths.value,
  };
}

// `extends` names a file relative to the config, or a package's config (`@tsconfig/node20/tsconfig.json`).
function extendedConfig(spec: string, dir: string): string | undefined {
  const candidates =
    spec.startsWith(".") || path.isAbsolute(spec)
      ? [path.resolve(dir, spec)]
      : packageConfigs(spec, dir);
  for (const c of candidates) {
    for (const f of [c, `${c}.json`, path.join(c, "tsconfig.json")])
      if (fs.statSync(f, { throwIfNoEntry: false })?.isFile()) return f;
  }
  return undefined;
}

// node_modules/<spec> in this folder and every one above it.
function packageConfigs(spec: string, dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    out.push(path.join(d, "node_modules", spec));
    if (path.dirname(d) === d) return out;
  }
}

/** The paths an aliased specifier may name (targets with `*` filled in), most specific alias first. */
export function aliasTargets(spec: string, tp: TsconfigPaths): string[] {
  const keys = Object.keys(tp.paths).sort((a, b) => b.length - a.length);
  for (const key of keys) {
    const star = key.indexOf("*");
    const prefix = star < 0 ? key : key.slice(0, star);
    const suffix = star < 0 ? "" : key.slice(star + 1);
    const hit = star < 0 ? spec === key : spec.startsWith(prefix) && spec.endsWith(suffix);
    if (!hit) continue;
    const middle = star < 0 ? "" : spec.slice(prefix.length, spec.length - suffix.length);
    return (tp.paths[key] ?? []).map((t) => path.resolve(tp.baseUrl, t.replace("*", middle)));
  }
  return [];
}
