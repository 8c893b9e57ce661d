// Introspection costs the TypeScript compiler (~0.5 s); its result is kept per content digest so a warm CLI skips it.
import fs from "node:fs";
import path from "node:path";
import type { ModuleLocation } from "./find-module.js";
import { digestModule, MODULE_CACHE_SCHEMA, type ModuleDigest } from "./module-digest.js";
import type { ModuleSignature } from "./signature.js";
import { sealText, unsealText } from "../store/sealed-file.js";

export interface LoadedSignature {
  signature: ModuleSignature;
  digest: ModuleDigest;
  /** True when the signature came from the cache and TypeScript was not loaded. */
  fromCache: boolean;
  cacheFile: string;
}

export type Introspect = (
  mod: Pick<ModuleLocation, "name" | "rootDir" | "entry">,
  files: ReadonlyMap<string, string>,
) => Promise<ModuleSignature>;

/** Where the signature of a module with this digest is kept. */
export function signatureCacheFile(stateDir: string, digest: string): string {
  return path.join(stateDir, "signatures", `${digest}.json`);
}

// A cache entry is used only if it parses and has this build's schema; anything else is a miss.
function readCached(file: string): ModuleSignature | undefined {
  try {
    // a damaged file could still parse, with a function's name or type changed: it must match its seal
    const body = unsealText(fs.readFileSync(file, "utf8"));
    if (body === undefined) return undefined;
    const sig = JSON.parse(body) as ModuleSignature;
    return sig.schema === MODULE_CACHE_SCHEMA ? sig : undefined;
  } catch {
    return undefined;
  }
}

// Write via a temporary file and rename, so a concurrent reader never sees half a file.
function writeCached(file: string, sig: ModuleSignature): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, sealText(JSON.stringify(sig)));
    fs.renameSync(tmp, file);
  } catch {
    // a read-only or full state dir only costs the next run an introspection
  }
}

// Loads the introspector (and with it TypeScript) only when it is needed.
async function defaultIntrospect(...args: Parameters<Introspect>): Promise<ModuleSignature> {
  const { introspectModule } = await import("./introspect/introspect-module.js");
  return introspectModule(...args);
}

/** The module's signature: from `<stateDir>/signatures/<digest>.json`, else introspected and stored there. */
export async function loadSignature(
  mod: Pick<ModuleLocation, "name" | "rootDir" | "entry">,
  opts: { stateDir: string; introspect?: Introspect; digest?: ModuleDigest },
): Promise<LoadedSignature> {
  const digest = opts.digest ?? digestModule(mod);
  const cacheFile = signatureCacheFile(opts.stateDir, digest.digest);
  const cached = readCached(cacheFile);
  if (cached) return { signature: cached, digest, fromCache: true, cacheFile };
  const signature = await (opts.introspect ?? defaultIntrospect)(mod, digest.files);
  writeCached(cacheFile, signature);
  return { signature, digest, fromCache: false, cacheFile };
}
