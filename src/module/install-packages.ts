// A module's own package.json dependencies are installed before it loads, as Dagger's TypeScript runtime does.
// Decision: into Gantry's state dir (`<stateDir>/packages/<digest>/node_modules`), keyed by the digest of the
// dependencies and the lockfile, shared by every module with the same ones; never into the project tree. Packages
// the module's folder already has (the user ran npm install) are used as they are.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ModuleError } from "../errors.js";
import type { ModuleLocation } from "./find-module.js";

/** Packages that are never installed: the SDK (Gantry's own replaces it) and the compiler (not loaded at run time). */
const PROVIDED = new Set(["@dagger.io/dagger", "gantry", "typescript"]);

/** The dependencies Gantry must provide, from the module's package.json (empty when there is none). */
export function packagesToInstall(sourceDir: string): Record<string, string> {
  const file = path.join(sourceDir, "package.json");
  if (!fs.existsSync(file)) return {};
  let pkg: { dependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(fs.readFileSync(file, "utf8")) as typeof pkg;
  } catch (cause) {
    throw new ModuleError(`${file} is not valid JSON: fix it`, { cause });
  }
  return Object.fromEntries(
    Object.entries(pkg.dependencies ?? {}).filter(([name]) => !PROVIDED.has(name)),
  );
}

// Already installed where Node would find it from the module's folder.
function resolvable(name: string, fromDir: string): boolean {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "node_modules", name, "package.json"))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

/** The folders to resolve the module's packages from when nothing needs installing (none needed, or installed). */
export function installedPackages(
  mod: Pick<ModuleLocation, "sourceDir">,
  stateDir: string,
): string[] | undefined {
  try {
    const need = packagesNeeded(mod, stateDir);
    return Array.isArray(need) ? need : undefined;
  } catch {
    return undefined; // e.g. a package.json that does not parse: installModulePackages says what, in its turn
  }
}

// The folders to resolve from when nothing needs installing, else what an install needs to know.
function packagesNeeded(mod: Pick<ModuleLocation, "sourceDir">, stateDir: string) {
  const deps = packagesToInstall(mod.sourceDir);
  const names = Object.keys(deps);
  if (names.length === 0 || names.every((n) => resolvable(n, mod.sourceDir))) return [];
  const lockFile = path.join(mod.sourceDir, "package-lock.json");
  const lock = fs.existsSync(lockFile) ? fs.readFileSync(lockFile, "utf8") : undefined;
  const key = createHash("sha256")
    .update(JSON.stringify(Object.entries(deps).sort()))
    .update(`\0${lock ?? ""}`)
    .digest("hex")
    .slice(0, 24);
  const dir = path.join(stateDir, "packages", key);
  const nodeModules = path.join(dir, "node_modules");
  if (fs.existsSync(path.join(dir, ".complete"))) return [nodeModules];
  return { deps, names, lock, dir, nodeModules };
}

/**
 * Make the module's packages importable; the folders to resolve them from (none when nothing is needed).
 * `npm ci` when the lockfile matches the dependencies as written, else `npm install` honouring the lockfile.
 */
export async function installModulePackages(
  mod: Pick<ModuleLocation, "sourceDir" | "name">,
  stateDir: string,
  say: (line: string) => void,
): Promise<string[]> {
  const need = packagesNeeded(mod, stateDir);
  if (Array.isArray(need)) return need;
  const { deps, names, lock, dir, nodeModules } = need;
  const tmp = `${dir}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(
    path.join(tmp, "package.json"),
    JSON.stringify({ name: "gantry-module-packages", private: true, dependencies: deps }, null, 2),
  );
  if (lock) fs.writeFileSync(path.join(tmp, "package-lock.json"), lock);
  const verb = lock ? "ci" : "install";
  say(`installing ${names.length} package(s) for module ${mod.name} (npm ${verb})`);
  let r = await npm([verb, "--no-audit", "--no-fund", "--omit=dev"], tmp);
  // A lockfile written with the SDK's local "./sdk" link is out of sync once the SDK is left out: install by it.
  if (r.code !== 0 && lock)
    r = await npm(["install", "--no-audit", "--no-fund", "--omit=dev"], tmp);
  if (r.code !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new ModuleError(
      `installing the packages of module ${mod.name} failed (npm exited ${r.code}):\n${r.output.trim().split("\n").slice(-8).join("\n")}`,
      {
        hint: `check ${path.join(mod.sourceDir, "package.json")}, or run npm install in that folder yourself`,
      },
    );
  }
  fs.writeFileSync(path.join(tmp, ".complete"), new Date().toISOString());
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return [nodeModules];
}

// npm with its output kept for the error message; a missing npm is said plainly.
function npm(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", (cause) =>
      reject(
        new ModuleError("the module needs npm packages installed, and npm is not on PATH", {
          cause,
          hint: "install Node.js with npm, or run npm install in the module's folder",
        }),
      ),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}
