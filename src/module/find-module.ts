// Finds the module a command acts on: `-m DIR`, else the nearest gantry.json/dagger.json, else `.gantry/` here.
import fs from "node:fs";
import path from "node:path";
import { ModuleError, UsageError } from "../errors.js";
import { displayPath } from "./display-path.js";
import { type ModuleDependency, parseModuleConfig, type ConfigKind } from "./module-config.js";

export interface ModuleLocation {
  kind: ConfigKind | "bare";
  name: string;
  /** The gantry.json or dagger.json, absent for a bare `.gantry/` folder. */
  configFile?: string;
  /** The folder holding the config file (the cwd for a bare `.gantry/`): relative default paths start here. */
  rootDir: string;
  sourceDir: string;
  /** `<source>/src/index.ts` or `<source>/index.ts`. */
  entry: string;
  warnings: string[];
  /** dagger.json's engineVersion; absent for gantry.json and bare modules (current semantics). */
  engineVersion?: string;
  /** dagger.json's dependencies (gantry.json has none yet). */
  dependencies: ModuleDependency[];
}

const CONFIG_FILES: readonly [string, ConfigKind][] = [
  ["gantry.json", "gantry"],
  ["dagger.json", "dagger"],
];

// A folder is a module source when it holds one of the two entry files Dagger and Gantry accept.
function findEntry(sourceDir: string): string | undefined {
  for (const rel of ["src/index.ts", "index.ts"]) {
    const p = path.join(sourceDir, rel);
    if (fs.statSync(p, { throwIfNoEntry: false })?.isFile()) return p;
  }
  return undefined;
}

// Builds the location from a config file, resolving the source folder and its entry.
function fromConfig(file: string, kind: ConfigKind, cwd: string): ModuleLocation {
  const shown = displayPath(file, cwd);
  const { config, warnings } = parseModuleConfig(kind, shown, fs.readFileSync(file, "utf8"));
  const rootDir = path.dirname(file);
  // Dagger reads a missing "source" as the config's own folder; `.dagger/` is what `dagger init` writes.
  const source =
    config.source ??
    (kind === "gantry" || fs.existsSync(path.join(rootDir, ".dagger")) ? `.${kind}` : ".");
  const sourceDir = path.resolve(rootDir, source);
  const entry = findEntry(sourceDir);
  if (!entry) {
    const where = displayPath(sourceDir, cwd);
    throw new ModuleError(
      `${shown} points at the module source ${where}, but neither ${path.join(where, "src/index.ts")} nor ${path.join(where, "index.ts")} exists: create one that exports an @object() class, or fix "source" in ${shown}`,
    );
  }
  return {
    kind,
    name: config.name,
    configFile: file,
    rootDir,
    sourceDir,
    entry,
    warnings,
    engineVersion: config.engineVersion,
    dependencies: config.dependencies,
  };
}

// The config file in one folder, gantry.json winning over dagger.json when both exist.
function configIn(dir: string): [string, ConfigKind] | undefined {
  for (const [file, kind] of CONFIG_FILES) {
    const p = path.join(dir, file);
    if (fs.statSync(p, { throwIfNoEntry: false })?.isFile()) return [p, kind];
  }
  return undefined;
}

// A `.gantry/` folder with an entry and no config: the module is named after the folder holding it.
function bareIn(dir: string): ModuleLocation | undefined {
  const sourceDir = path.join(dir, ".gantry");
  const entry = findEntry(sourceDir);
  if (!entry) return undefined;
  const name = path.basename(dir) || "module";
  return { kind: "bare", name, rootDir: dir, sourceDir, entry, warnings: [], dependencies: [] };
}

/** Locate the module for `-m DIR` or the cwd; throws ModuleError/UsageError saying where it looked. */
export function findModule(opts: { cwd: string; modDir?: string }): ModuleLocation {
  const { cwd } = opts;
  if (opts.modDir !== undefined) {
    const dir = path.resolve(cwd, opts.modDir);
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(
        `-m ${opts.modDir}: no such folder (${dir}): pass the folder holding gantry.json, dagger.json or .gantry/`,
      );
    }
    const found = configIn(dir);
    if (found) return fromConfig(found[0], found[1], cwd);
    const bare = bareIn(dir);
    if (bare) return bare;
    throw new ModuleError(
      `no module in ${displayPath(dir, cwd)}: it holds no gantry.json, dagger.json or .gantry/src/index.ts (or .gantry/index.ts); pass -m with the folder that does`,
    );
  }
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const found = configIn(dir);
    if (found) return fromConfig(found[0], found[1], cwd);
    if (dir === cwd) {
      const bare = bareIn(dir);
      if (bare) return bare;
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new ModuleError(
    `no module found: no gantry.json or dagger.json in ${cwd} or its parents, and no .gantry/src/index.ts (or .gantry/index.ts) in ${cwd}: run from your project, pass -m DIR, or make a module here with \`gantry init\``,
  );
}
