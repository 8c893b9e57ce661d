// A module's tsconfig.json `paths` aliases (`@/lib/*` → `src/lib/*`): esbuild bundles the aliased files, and the
// digest and introspection walk them like relative imports. Read without TypeScript, so a warm load stays cheap.
import fs from "node:fs";
import path from "node:path";

export interface TsconfigPaths {
  /** The tsconfig.json the aliases come from (part of the module's digest). */
  file: string;
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

/** The nearest tsconfig.json from the entry's folder up to the module's root, if it declares `paths`. */
export function readTsconfigPaths(entry: string, rootDir: string): TsconfigPaths | undefined {
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    const file = path.join(dir, "tsconfig.json");
    if (fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      let json: { compilerOptions?: { baseUrl?: unknown; paths?: unknown } };
      try {
        json = parseJsonc(fs.readFileSync(file, "utf8")) as typeof json;
      } catch {
        return undefined;
      }
      const opts = json.compilerOptions ?? {};
      if (!opts.paths || typeof opts.paths !== "object") return undefined;
      const base = typeof opts.baseUrl === "string" ? path.resolve(dir, opts.baseUrl) : dir;
      return { file, baseUrl: base, paths: opts.paths as Record<string, string[]> };
    }
    if (dir === rootDir || path.dirname(dir) === dir) return undefined;
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
