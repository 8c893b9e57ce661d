// Imports a bundled module and finds the classes `gantry call` constructs and chains on.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ModuleError } from "../errors.js";
import type * as Sdk from "../sdk/index.js";
import { bundleModule } from "./bundle-module.js";
import type { ModuleLocation } from "./find-module.js";
import { moduleCacheDir } from "./module-cache-dir.js";
import { pickMainObject } from "./pick-main-object.js";
import { gantryVersion } from "./gantry-version.js";
import type { ModuleSignature } from "./signature.js";

export type ObjectClass = new (...args: unknown[]) => object;

/** The SDK as the loader sees it: the same instance the module imports. */
export type SdkModule = typeof Sdk;

export interface LoadedModule {
  mainClass: ObjectClass;
  exports: Record<string, unknown>;
  bundle: string;
}

/** Import Gantry's SDK from the path modules are bundled against, so both share one instance. */
export async function importSdk(sdkEntry: string): Promise<SdkModule> {
  return (await import(pathToFileURL(sdkEntry).href)) as SdkModule;
}

// A module's top-level code can throw; say it was the module, and where, rather than looking like a Gantry bug.
function importFailure(e: unknown, entry: string, cwd: string): ModuleError {
  const err = e instanceof Error ? e : new Error(String(e));
  const frame = err.stack
    ?.split("\n")
    .find((l) => /\.tsx?:\d+/.test(l))
    ?.trim();
  return new ModuleError(
    `loading ${path.relative(cwd, entry)} failed: ${err.message}${frame ? ` (${frame})` : ""}: fix the module's top-level code`,
    { cause: e },
  );
}

/** Bundle (or reuse the bundle of) the module, import it and find its main class. */
export async function loadModule(opts: {
  mod: ModuleLocation;
  digest: string;
  signature: ModuleSignature;
  sdkEntry: string;
  sdk: Pick<SdkModule, "getObjectMetadata">;
  cwd: string;
}): Promise<LoadedModule> {
  const { mod, sdk } = opts;
  const bundle = await bundleModule({
    name: mod.name,
    entry: mod.entry,
    digest: opts.digest,
    sdkEntry: opts.sdkEntry,
    cacheDir: moduleCacheDir(mod),
    gantryVersion: gantryVersion(),
    cwd: opts.cwd,
  });
  process.setSourceMapsEnabled(true);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(bundle).href)) as Record<string, unknown>;
  } catch (e) {
    throw importFailure(e, mod.entry, opts.cwd);
  }
  const decorated = new Map<string, ObjectClass>();
  for (const value of Object.values(exports)) {
    if (typeof value === "function" && sdk.getObjectMetadata(value))
      decorated.set(value.name, value as ObjectClass);
  }
  const shown = path.relative(opts.cwd, mod.entry);
  const name = decorated.has(opts.signature.mainObject)
    ? opts.signature.mainObject
    : pickMainObject(
        [...decorated.keys()].map((n) => ({ name: n, exported: true })),
        mod.name,
        shown,
      );
  const mainClass = decorated.get(name);
  if (!mainClass) {
    throw new ModuleError(
      `${shown}: class ${name} was not found among the module's exports: export it`,
    );
  }
  return { mainClass, exports, bundle };
}
