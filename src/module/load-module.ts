// Imports a bundled module and finds the classes `gantry call` constructs and chains on.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ModuleError } from "../errors.js";
import type * as Sdk from "../sdk/index.js";
import { ensureProjectDir } from "../store/project-state-dir.js";
import { bundleModule } from "./bundle-module.js";
import { coreSdkEntry } from "./sdk-facade.js";
import type { ModuleLocation } from "./find-module.js";
import { displayPath } from "./display-path.js";
import { readTsconfigPaths } from "./tsconfig-paths.js";
import { pickMainObject } from "./pick-main-object.js";
import { gantryVersion } from "./gantry-version.js";
import { installedPackages } from "./install-packages.js";
import { digestModule, type ModuleDigest } from "./module-digest.js";
import { resolveSdkEntry } from "./sdk-entry.js";
import type { ModuleSignature } from "./signature.js";
import { userFrame } from "./user-frame.js";

export type ObjectClass = new (...args: unknown[]) => object;

/** The SDK as the loader sees it: the same instance the module imports. */
export type SdkModule = typeof Sdk;

export interface LoadedModule {
  mainClass: ObjectClass;
  exports: Record<string, unknown>;
  bundle: string;
}

/** Import Gantry's core SDK, the file a module's bundle imports it from (sdk-facade.ts), so both share one instance. */
export async function importSdk(sdkEntry: string): Promise<SdkModule> {
  return (await import(pathToFileURL(coreSdkEntry(sdkEntry)).href)) as SdkModule;
}

// A module's top-level code can throw; say it was the module, and where, rather than looking like a Gantry bug.
function importFailure(e: unknown, mod: ModuleLocation, cwd: string): ModuleError {
  const err = e instanceof Error ? e : new Error(String(e));
  const shown = displayPath(mod.entry, cwd);
  const frame = userFrame(err.stack, cwd);
  return new ModuleError(
    `loading ${shown} failed: ${err.message}${frame ? ` (${frame})` : ""}: fix the module's top-level code`,
    { cause: e },
  );
}

export interface BundleOptions {
  mod: ModuleLocation;
  digest: string;
  sdkEntry: string;
  sdk: Pick<SdkModule, "getObjectMetadata" | "collectObjects">;
  /** Gantry's state dir: the bundle goes to `<stateDir>/projects/<id>/bundles/`, never into the project. */
  stateDir: string;
  cwd: string;
  /** Folders of packages installed for the module (install-packages.ts). */
  nodePaths?: string[];
}

/**
 * Bundle (or reuse the bundle of) the module. Async, so that whatever fails (a state dir it cannot write to) waits in
 * the promise for the caller's turn to report it (startModuleLoad starts it before the signature is read).
 */
export async function bundleFor(opts: BundleOptions): Promise<string> {
  const { mod } = opts;
  const aliases = readTsconfigPaths(mod.entry, mod.rootDir);
  return bundleModule({
    name: mod.name,
    entry: mod.entry,
    digest: opts.digest,
    sdkEntry: opts.sdkEntry,
    sdkNames: Object.keys(opts.sdk),
    cacheDir: ensureProjectDir(opts.stateDir, mod.rootDir, "bundles"),
    gantryVersion: gantryVersion(),
    cwd: opts.cwd,
    ...(aliases ? { aliases } : {}),
    ...(opts.nodePaths?.length ? { nodePaths: opts.nodePaths } : {}),
  });
}

/**
 * What `call` and `check` start before TypeScript reads the signature (performance.md Decision 16): the module's
 * digest, the SDK, and its bundle, whose esbuild process starts and parses meanwhile and finishes its imports, which
 * it resolves through this thread, once TypeScript is done. The bundle resolves the module's installed packages
 * (`packages`, as `call` does; no bundle yet when they need an install first) or none (as `check` always has).
 */
export async function startModuleLoad(
  mod: ModuleLocation,
  opts: { stateDir: string; cwd: string; packages: boolean },
): Promise<{
  digest: ModuleDigest;
  sdkEntry: string;
  sdk: SdkModule;
  bundle?: Promise<string>;
  nodePaths?: string[];
}> {
  const digest = digestModule(mod);
  const sdkEntry = resolveSdkEntry();
  const sdk = await importSdk(sdkEntry);
  const base = {
    mod,
    digest: digest.digest,
    sdkEntry,
    sdk,
    stateDir: opts.stateDir,
    cwd: opts.cwd,
  };
  const nodePaths = opts.packages ? installedPackages(mod, opts.stateDir) : undefined;
  if (opts.packages && !nodePaths) return { digest, sdkEntry, sdk }; // installModulePackages first
  const bundle = bundleFor({ ...base, ...(nodePaths ? { nodePaths } : {}) });
  bundle.catch(() => undefined); // loadModule awaits it, after the signature and the flags, and says what failed
  return { digest, sdkEntry, sdk, bundle, ...(nodePaths ? { nodePaths } : {}) };
}

/** Bundle the module (or take the bundle started ahead), import it and find its main class, exported or not. */
export async function loadModule(
  opts: BundleOptions & {
    signature: ModuleSignature;
    /** The bundle from `bundleFor`, started earlier with these options. */
    bundle?: Promise<string>;
  },
): Promise<LoadedModule> {
  const { mod, sdk } = opts;
  const bundle = await (opts.bundle ?? bundleFor(opts));
  process.setSourceMapsEnabled(true);
  // A fresh URL per load, so the module's code (and its decorators) run for this load even if the
  // same bundle was imported before in this process (tests do).
  const url = `${pathToFileURL(bundle).href}?load=${randomUUID()}`;
  let loaded: { value: Record<string, unknown>; objects: unknown[] };
  try {
    loaded = await sdk.collectObjects(() => import(url) as Promise<Record<string, unknown>>);
  } catch (e) {
    throw importFailure(e, mod, opts.cwd);
  }
  const exports = loaded.value;
  const decorated = declaredClasses(loaded.objects, exports, sdk);
  const shown = path.relative(opts.cwd, mod.entry);
  const name = decorated.has(opts.signature.mainObject)
    ? opts.signature.mainObject
    : pickMainObject(
        [...decorated].map(([n, c]) => ({ name: n, exported: exports[n] === c })),
        mod.name,
        shown,
      );
  const mainClass = decorated.get(name);
  if (!mainClass) {
    throw new ModuleError(
      `${shown}: class ${name} is decorated with @object() but was not declared when the module loaded: declare it at the top level of a module file, not inside a function`,
    );
  }
  return { mainClass, exports, bundle };
}

// The @object() classes by name: those the decorator saw during the load, plus the entry's decorated exports
// (an exported class wins a clash of names, as it does in the static signature's main-object choice).
function declaredClasses(
  seen: readonly unknown[],
  exports: Record<string, unknown>,
  sdk: Pick<SdkModule, "getObjectMetadata">,
): Map<string, ObjectClass> {
  const out = new Map<string, ObjectClass>();
  for (const cls of seen)
    if (typeof cls === "function" && !out.has(cls.name)) out.set(cls.name, cls as ObjectClass);
  for (const value of Object.values(exports))
    if (typeof value === "function" && sdk.getObjectMetadata(value))
      out.set(value.name, value as ObjectClass);
  return out;
}
