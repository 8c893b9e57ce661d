// TypeScript is loaded from a V8 code cache the build makes (module/introspect/ts-api.ts): the same module as
// `require` gives, and a cache V8 refuses leaves the caller to require it as usual.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeCacheFor, runCommonJs, withCodeCache } from "../../src/module/introspect/ts-api.js";

let dir: string;
let lib: string;
const SOURCE =
  'const path = require("node:path");\n' +
  "exports.kind = typeof module;\n" +
  "exports.here = path.basename(__dirname);\n" +
  "exports.add = (a, b) => a + b;\n";

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gantry-code-cache-"));
  lib = path.join(dir, "lib.js");
  await writeFile(lib, SOURCE);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A cache made the way scripts/typescript-code-cache.mjs makes it.
async function cacheOf(source: string): Promise<string> {
  const file = path.join(dir, `cache-${Math.random()}`);
  const { script } = runCommonJs(lib, Buffer.from(source))!;
  await writeFile(file, codeCacheFor(Buffer.from(source), script.createCachedData()));
  return file;
}

describe("loading a CommonJS file from a V8 code cache", () => {
  it("gives the module's exports, run as CommonJS runs it (module, require, __dirname)", async () => {
    const api = withCodeCache(lib, await cacheOf(SOURCE)) as unknown as Record<string, unknown>;
    const required = createRequire(import.meta.url)(lib) as Record<string, unknown>;
    expect(api).toBeDefined();
    expect({ kind: api.kind, here: api.here }).toEqual({
      kind: required.kind,
      here: required.here,
    });
    expect((api.add as (a: number, b: number) => number)(2, 3)).toBe(5);
  });

  it("is refused for a cache of other source or of garbage, so the caller requires the file instead", async () => {
    expect(withCodeCache(lib, await cacheOf(SOURCE + "exports.more = 1;\n"))).toBeUndefined();
    // V8 itself checks only the length: a same-length edit must be refused by the cache's own digest
    expect(withCodeCache(lib, await cacheOf(SOURCE.replace("a + b", "a - b")))).toBeUndefined();
    const garbage = path.join(dir, "garbage");
    await writeFile(garbage, Buffer.alloc(4096, 7));
    expect(withCodeCache(lib, garbage)).toBeUndefined();
    expect(withCodeCache(lib, path.join(dir, "no-such-cache"))).toBeUndefined();
  });
});
