// `gantry install REF`: add a module dependency to dagger.json the way `dagger install` does — a local folder by
// its path relative to the module, a git ref with the commit it resolves to as `pin`.
import fs from "node:fs";
import path from "node:path";
import { ModuleError, UsageError } from "../errors.js";
import { findModule, type ModuleLocation } from "./find-module.js";
import { dependencyDir, parseGitDependency, resolveGitDependency } from "./dependency-source.js";
import type { ModuleDependency } from "./module-config.js";

/** Resolve `ref`, check it is a module, and write it into the module's dagger.json; the entry written. */
export async function installDependency(
  mod: ModuleLocation,
  ref: string,
  opts: { cwd: string; stateDir: string; name?: string },
): Promise<ModuleDependency> {
  if (mod.kind !== "dagger" || !mod.configFile)
    throw new UsageError(
      `gantry install adds to a dagger.json's dependencies, and this module has ${mod.configFile ? path.basename(mod.configFile) : "no config file"}`,
      { hint: "run it in a Dagger module (a folder with dagger.json)" },
    );
  const git = parseGitDependency(ref);
  const local = git ? undefined : path.resolve(opts.cwd, ref);
  let entry: ModuleDependency;
  if (local) {
    const source = path.relative(mod.rootDir, local) || ".";
    entry = { name: "", source: source.startsWith(".") ? source : `./${source}` };
  } else {
    const { commit } = await resolveGitDependency(opts.stateDir, git!);
    entry = { name: "", source: ref, pin: commit };
  }
  const dir = await dependencyDir({ ...entry, name: "dependency" }, mod.rootDir, opts.stateDir);
  const depMod = findModule({ cwd: dir, modDir: dir });
  if (path.resolve(depMod.rootDir) === path.resolve(mod.rootDir))
    throw new UsageError(`${ref} is this module itself: a module cannot depend on itself`);
  entry.name = opts.name ?? depMod.name;
  writeDependency(mod.configFile, entry);
  return entry;
}

// dagger.json keeps its other keys and their order; a dependency of the same name is replaced.
function writeDependency(file: string, entry: ModuleDependency): void {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (cause) {
    throw new ModuleError(`${file} is not valid JSON: fix it before installing`, { cause });
  }
  const deps = Array.isArray(json.dependencies) ? (json.dependencies as { name?: string }[]) : [];
  const kept = deps.filter((d) => d?.name !== entry.name);
  json.dependencies = [...kept, entry].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  fs.writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
}
