// The TypeScript compiler takes a while to load, so it is loaded only when a signature is not cached.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";
import type * as TS from "typescript";
import { builtFile } from "../built-files.js";

export type TsApi = typeof TS;

/** The V8 code cache `npm run build` makes for typescript.js (scripts/typescript-code-cache.mjs), in dist/. */
export const TS_CODE_CACHE = "typescript.v8-cache";
/** typescript.js cut down to its parser (typescript-slice.ts) and its code cache, which the build makes in dist/. */
export const TS_PARSER = "typescript-parser.js";
export const TS_PARSER_CODE_CACHE = "typescript-parser.v8-cache";

let loaded: TsApi | undefined;
let parser: TsApi | undefined;

/**
 * What reading a signature needs of TypeScript — its parser — loaded from the slice the build made (about a quarter
 * of typescript.js to read, compile and run); the whole of typescript.js when there is none (running from source),
 * it does not load, or it is not of the typescript installed now. `isWhole` tells the caller which it got: a slice
 * that throws while reading is retried with the whole.
 */
export function loadTypeScriptParser(): { ts: TsApi; isWhole: boolean } {
  const file = parser ? undefined : builtFile(TS_PARSER);
  if (file) parser = loadSlice(file, builtFile(TS_PARSER_CODE_CACHE), installedTypeScriptVersion);
  return parser ? { ts: parser, isWhole: false } : { ts: loadTypeScript(), isWhole: true };
}

/**
 * The slice in `file`, compiled from its code cache when V8 takes it (else from its text); undefined when it fails to
 * load, or was made from another typescript than the one installed now (`npm install` since the build, or a newer
 * 5.x beside a published dist/: the parser must be the one the whole package would be).
 */
export function loadSlice(
  file: string,
  cache: string | undefined,
  installedVersion: () => string | undefined,
): TsApi | undefined {
  try {
    const ts =
      (cache && withCodeCache(file, cache)) ||
      (runCommonJs(file, fs.readFileSync(file))?.exports as TsApi | undefined);
    return ts && ts.version === installedVersion() ? ts : undefined;
  } catch {
    return undefined;
  }
}

// The installed typescript's version, from its package.json (a millisecond, where hashing its 9 MB would take ~20).
function installedTypeScriptVersion(): string | undefined {
  const main = createRequire(import.meta.url).resolve("typescript");
  const pkg = path.join(path.dirname(main), "..", "package.json");
  return (JSON.parse(fs.readFileSync(pkg, "utf8")) as { version?: string }).version;
}

/**
 * Load the `typescript` package; called only on a signature cache miss.
 * Through `require`, not `import()`: importing a CommonJS file from ESM makes Node scan all of it for its named
 * exports (cjs-module-lexer, plus a format check) — about 0.5 s for typescript.js's 9 MB here, more than running it.
 * With the code cache the build made beside Gantry's own code, V8 skips compiling its 9 MB again (~0.15 s of the
 * ~0.35 s a load costs here); a cache V8 rejects (another Node, another typescript) costs one read of it.
 */
export function loadTypeScript(): TsApi {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const cache = builtFile(TS_CODE_CACHE);
  loaded = cache ? withCodeCache(require.resolve("typescript"), cache) : undefined;
  loaded ??= require("typescript") as TsApi;
  return loaded;
}

/**
 * typescript.js compiled from the code cache and run; undefined when the cache is not for these exact bytes or V8
 * rejects it, and the caller requires it as usual. V8 checks only the source's length (a same-length edit would run
 * the old code), so the cache starts with the SHA-256 of the source it was made from (codeCacheFor), checked first
 * (~15 ms for 9 MB).
 */
export function withCodeCache(file: string, cacheFile: string): TsApi | undefined {
  let source: Buffer;
  let cache: Buffer;
  try {
    source = fs.readFileSync(file);
    cache = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  if (!cache.subarray(0, 32).equals(createHash("sha256").update(source).digest())) return undefined;
  return runCommonJs(file, source, cache.subarray(32))?.exports as TsApi | undefined;
}

/**
 * A CommonJS file run as Node runs it (its wrapper, its own `require`, `module`, `__dirname`), compiled from
 * `cachedData` when given; undefined when V8 rejects that. The script is returned for making a cache of it.
 */
export function runCommonJs(
  file: string,
  source: Buffer,
  cachedData?: Buffer,
): { script: vm.Script; exports: unknown } | undefined {
  const script = new vm.Script(wrapCommonJs(source.toString("utf8")), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (script.cachedDataRejected) return undefined;
  const mod = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  return { script, exports: mod.exports };
}

/** The cache file's bytes: the SHA-256 of the source file's bytes, then V8's code cache of its wrapped text. */
export function codeCacheFor(source: Buffer, v8Data: Buffer): Buffer {
  return Buffer.concat([createHash("sha256").update(source).digest(), v8Data]);
}

/** Node's CommonJS wrapper (Module.wrap), which the cache was made over: the same source text, byte for byte. */
function wrapCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
}
