// Resolves `@argument({ defaultPath })` the way Dagger does, so a Dagger module sees the same files here.
import fs from "node:fs";
import path from "node:path";
import { ModuleError } from "../errors.js";
import type { ModuleLocation } from "./find-module.js";

/** The git repository root holding `dir`, if any: Dagger's context for absolute default paths. */
export function findGitRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, ".git"))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * Host path for a default path. `/x` starts at the git repository root holding the module (the
 * module's root folder outside git); `x`, `./x` and `../x` start at the module's root folder (the one
 * holding gantry.json/dagger.json). Nothing may reach outside that context, as in Dagger.
 */
export function resolveDefaultPath(
  mod: Pick<ModuleLocation, "rootDir">,
  defaultPath: string,
  gitRoot: string | undefined = findGitRoot(mod.rootDir),
): string {
  const context = gitRoot ?? mod.rootDir;
  const resolved = defaultPath.startsWith("/")
    ? path.resolve(context, `.${defaultPath}`)
    : path.resolve(mod.rootDir, defaultPath);
  const rel = path.relative(context, resolved);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new ModuleError(
      `defaultPath ${JSON.stringify(defaultPath)} resolves to ${resolved}, outside the module's context ${context}: use a path inside it`,
    );
  }
  return resolved;
}
