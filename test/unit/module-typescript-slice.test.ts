// Introspection reads signatures with typescript.js cut down to its parser (introspect/typescript-slice.ts, made by
// the build): every module it reads must come out exactly as with the whole of TypeScript, and a slice that fails
// must fall back to the whole, never to a different answer.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type * as TS from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModuleError } from "../../src/errors.js";
import { findModule } from "../../src/module/find-module.js";
import { introspectModule, introspectWith } from "../../src/module/introspect/introspect-module.js";
import {
  codeCacheFor,
  loadSlice,
  loadTypeScript,
  runCommonJs,
  type TsApi,
} from "../../src/module/introspect/ts-api.js";
import {
  readSample,
  sliceDiffers,
  SLICE_SAMPLES,
} from "../../src/module/introspect/slice-check.js";
import { typescriptParserSlice } from "../../src/module/introspect/typescript-slice.js";
import { digestModule } from "../../src/module/module-digest.js";
import type { ModuleSignature } from "../../src/module/signature.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TS_FILE = createRequire(import.meta.url).resolve("typescript");
const whole = loadTypeScript();
let slice: TsApi;
let sliceText: string;
const tmp = tempDir("gantry-ts-slice-");

beforeAll(() => {
  sliceText = typescriptParserSlice(fs.readFileSync(TS_FILE, "utf8"))!;
  const file = path.join(tmp.dir, "typescript-parser.js");
  fs.writeFileSync(file, sliceText);
  slice = runCommonJs(file, fs.readFileSync(file))!.exports as TsApi;
});
afterAll(() => tmp.cleanup());

// The signature, or the error's class and message, read with one TypeScript.
function read(ts: TsApi, dir: string): ModuleSignature | string {
  const mod = findModule({ cwd: dir });
  try {
    return introspectWith(ts, mod, digestModule(mod).files);
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

// Every module the repository ships or tests with, found by its gantry.json.
function moduleDirs(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name.startsWith(".git")) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "gantry.json") out.push(dir);
    }
  };
  for (const top of ["examples", "test/fixtures", "bench"]) walk(path.join(ROOT, top));
  return out;
}

describe("typescript.js cut down to its parser", () => {
  it("is a quarter of typescript.js or less, and leaves the checker, emitter and services out", () => {
    expect(sliceText.length).toBeLessThan(fs.statSync(TS_FILE).size / 4);
    expect(sliceText).toContain("// src/compiler/parser.ts");
    for (const gone of [
      "// src/compiler/checker.ts",
      "// src/compiler/emitter.ts",
      "// src/services/services.ts",
    ])
      expect(sliceText).not.toContain(gone);
  });

  it("is refused for a file not laid out like typescript.js", () => {
    expect(typescriptParserSlice("var ts = {};\n")).toBeUndefined();
    const noParser = fs
      .readFileSync(TS_FILE, "utf8")
      .replace("// src/compiler/parser.ts\n", "// parser\n");
    expect(typescriptParserSlice(noParser)).toBeUndefined();
  });

  it("reads every module in examples/, test/fixtures/ and bench/ exactly as the whole of TypeScript does", () => {
    const dirs = moduleDirs();
    expect(dirs.length).toBeGreaterThanOrEqual(15);
    for (const dir of dirs) {
      const got = read(slice, dir);
      if (typeof got === "string") throw new Error(`${dir}: ${got}`); // every one of them has a signature
      expect(got.objects.length, dir).toBeGreaterThan(0);
      expect(got, dir).toEqual(read(whole, dir));
    }
  });

  it("reads the build's samples as the whole does: docs, defaults, private names, presets, warnings, errors", () => {
    expect(sliceDiffers(slice, whole)).toBeUndefined();
    const read = (name: string) => readSample(slice, name, SLICE_SAMPLES[name]!);
    const corners = JSON.parse(read("corners")) as ModuleSignature;
    expect(corners.warnings.length, "the destructured parameter warns").toBeGreaterThan(0);
    expect(corners.objects.find((o) => o.name === "Corners")?.functions.length).toBeGreaterThan(3);
    const presets = JSON.parse(read("presets")) as ModuleSignature;
    expect(presets.objects.some((o) => o.name === "NodeToolchain" && o.library)).toBe(true);
    expect(read("broken")).toMatch(/^ModuleError: .*index\.ts:4:\d+: .*fix the syntax error$/);
    expect(read("nomain")).toMatch(/^ModuleError: /);
    expect(read("tuple")).toMatch(/index\.ts:4:\d+: parameter x .*\(\[string, number\]\)/);
  });

  it("the build's check names a slice that reads a sample differently without throwing", () => {
    // a slice whose identifiers have no text finds no main object: a ModuleError, not a fallback — the build's to catch
    const broken = sliceText.replace(
      'Object.defineProperty(objectAllocator.getIdentifierConstructor().prototype, "text", text);',
      "",
    );
    expect(broken).not.toBe(sliceText);
    const file = path.join(tmp.dir, "broken-parser.js");
    fs.writeFileSync(file, broken);
    const bad = runCommonJs(file, fs.readFileSync(file))!.exports as TsApi;
    expect(sliceDiffers(bad, whole)).toMatch(/^sample "corners": ModuleError: .* instead of \{/);
  });

  it("gives a node the members services.ts would: an identifier's text, getStart/getText, line and column", () => {
    const text = "/** d */\nexport class A { #p = 1; m(x: string) {} }";
    const sf = slice.createSourceFile(
      "a.ts",
      text,
      slice.ScriptTarget.Latest,
      true,
      slice.ScriptKind.TS,
    );
    const cls = sf.statements[0] as TS.ClassDeclaration;
    expect(cls.name!.text).toBe("A");
    expect((cls.members[0]!.name as TS.PrivateIdentifier).text).toBe("#p");
    expect(cls.members[1]!.getText(sf)).toBe("m(x: string) {}");
    expect(sf.getLineAndCharacterOfPosition(cls.getStart(sf))).toEqual({ line: 1, character: 0 });
    expect(cls.getStart(sf, true)).toBe(0);
  });
});

describe("loading the slice", () => {
  it("loads it from its code cache, or from its text when there is none", () => {
    const file = path.join(tmp.dir, "typescript-parser.js");
    const bytes = fs.readFileSync(file);
    const cache = path.join(tmp.dir, "typescript-parser.v8-cache");
    fs.writeFileSync(
      cache,
      codeCacheFor(bytes, runCommonJs(file, bytes)!.script.createCachedData()),
    );
    for (const c of [cache, undefined]) {
      const ts = loadSlice(file, c, () => whole.version);
      expect(ts?.version).toBe(whole.version);
      expect(typeof ts?.createSourceFile).toBe("function");
    }
  });

  it("is not used when the typescript installed now is another version than it was made from", () => {
    const file = path.join(tmp.dir, "typescript-parser.js");
    expect(loadSlice(file, undefined, () => "5.0.0")).toBeUndefined();
    expect(loadSlice(file, undefined, () => undefined)).toBeUndefined();
  });

  it("is not used when it cannot be read or throws while it loads", () => {
    expect(
      loadSlice(path.join(tmp.dir, "none.js"), undefined, () => whole.version),
    ).toBeUndefined();
    const throwing = path.join(tmp.dir, "throwing.js");
    fs.writeFileSync(throwing, "exports.version = 'x'; throw new Error('half a slice');\n");
    expect(loadSlice(throwing, undefined, () => "x")).toBeUndefined();
  });
});

describe("introspecting with the slice", () => {
  const dir = path.join(tmp.dir, "fallback");
  beforeAll(() =>
    writeTree(dir, {
      "gantry.json": JSON.stringify({ name: "fallback", source: ".gantry" }),
      ".gantry/src/index.ts": SLICE_SAMPLES.corners!,
    }),
  );
  const args = () => {
    const mod = findModule({ cwd: dir });
    return [mod, digestModule(mod).files] as const;
  };
  // the slice, with createSourceFile failing the way a path into a section it left out would
  const failing = (err: Error): TsApi =>
    new Proxy(slice, {
      get: (t, k) =>
        k === "createSourceFile"
          ? () => {
              throw err;
            }
          : Reflect.get(t, k),
    });

  it("reads the module again with the whole of TypeScript when the slice fails", async () => {
    const sig = await introspectModule(...args(), {
      ts: failing(new ReferenceError("checker is not defined")),
      isWhole: false,
    });
    expect(sig).toEqual(introspectWith(whole, ...args()));
  });

  it("keeps the module's own error: a syntax error is not read twice", async () => {
    const err = new ModuleError("index.ts:1:1: ';' expected: fix the syntax error");
    await expect(introspectModule(...args(), { ts: failing(err), isWhole: false })).rejects.toBe(
      err,
    );
  });

  it("does not fall back when it already has the whole", async () => {
    const err = new ReferenceError("boom");
    await expect(introspectModule(...args(), { ts: failing(err), isWhole: true })).rejects.toBe(
      err,
    );
  });
});
