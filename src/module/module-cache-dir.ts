// Where a module's bundle lives: beside the node_modules its bare imports resolve from, since Node resolves from the bundle's folder.
import fs from "node:fs";
import path from "node:path";
import type { ModuleLocation } from "./find-module.js";

/**
 * `<nearest node_modules>/.cache/gantry` between the module source and its root folder (the usual
 * home of tool caches, and from there Node finds the module's own dependencies), else
 * `<root>/.gantry/cache`.
 */
export function moduleCacheDir(mod: Pick<ModuleLocation, "rootDir" | "sourceDir">): string {
  const stop = path.dirname(mod.rootDir);
  for (
    let dir = mod.sourceDir;
    dir !== stop && path.dirname(dir) !== dir;
    dir = path.dirname(dir)
  ) {
    const nm = path.join(dir, "node_modules");
    if (fs.statSync(nm, { throwIfNoEntry: false })?.isDirectory())
      return path.join(nm, ".cache", "gantry");
    if (dir === mod.rootDir) break;
  }
  return path.join(mod.rootDir, ".gantry", "cache");
}
