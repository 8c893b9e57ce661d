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
import { loadTypeScript, runCommonJs, type TsApi } from "../../src/module/introspect/ts-api.js";
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

// Modules that reach the corners the introspection reads: docs, defaults' text, positions in warnings and
// errors, private names, enums, type shapes, unsupported calls, syntax errors.
const TRICKY: Record<string, string> = {
  corners: `import { dag, Container, Directory, Secret, object, func, field, argument } from "@dagger.io/dagger";
/** File doc. */

/** Levels. */
export enum Level { Low = "low", "High" = "high" }
export type Shape = { name: string; size?: number };
export interface Opts { /** Verbose? */ verbose: boolean; tags: string[] }
/**
 * The main object.
 * Second line.
 */
@object()
export class Corners {
  #hidden = 1;
  private secretThing = "x";
  @field() label: string = "a" + "b";
  constructor(
    /** The source. */ @argument({ defaultPath: "/", ignore: ["node_modules"] }) public source: Directory,
    private image = \`node:\${22}\`,
  ) {}
  /**
   * Does a thing.
   * @param level how loud
   * @param n - how many
   */
  @func()
  async run(level: Level = Level.Low, n?: number, tags: string[] = ["a", 'b'], t: Secret | null = null): Promise<string> {
    return dag.container().from(this.image).withExec(["echo", String(n)]).stdout();
  }
  @func() shape(s: Shape, o: Opts): Shape { return s; }
  @func() get size(): number { return this.#hidden; }
  @func() pair({ a, b }: { a: string; b: string }): Container { return dag.container(); }
  @func() async up(): Promise<void> { await dag.host().directory(".").sync(); dag.currentModule().source(); }
}
`,
  broken: `import { object, func } from "@dagger.io/dagger";
@object()
export class Broken {
  @func() f(x: string { return x; }
}
`,
  nomain: `export const x = 1;\n`,
  tuple: `import { object, func } from "@dagger.io/dagger";
@object()
export class Tuple {
  @func() pair(x: [string, number]): string { return x[0]; }
  @func() fn(f: (x: number) => string): string { return f(1); }
}
`,
  unicode: `import { object, func } from "@dagger.io/dagger";
/** Ünïcödé — “quotes” and 😀 before the class, so positions are counted in UTF-16. */
@object()
export class Unicode {
  /** Grüße 😀 */
  @func() grüße(name = "wörld😀", { x }: { x: number } = { x: 1 }): string { return name; }
}
`,
};

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
      expect(typeof got === "string" ? got : got.objects.length, dir).not.toBe(0);
      expect(got, dir).toEqual(read(whole, dir));
    }
  });

  it("reads docs, defaults, private names, enums, shapes, warnings and errors as the whole does", () => {
    for (const [name, source] of Object.entries(TRICKY)) {
      const dir = path.join(tmp.dir, name);
      writeTree(dir, {
        "gantry.json": JSON.stringify({ name, source: ".gantry" }),
        ".gantry/src/index.ts": source,
      });
      const got = read(slice, dir);
      expect(got, name).toEqual(read(whole, dir));
      if (name === "corners") {
        const sig = got as ModuleSignature;
        expect(
          sig.warnings.length,
          "the destructured/function-typed parameters warn",
        ).toBeGreaterThan(0);
        expect(sig.objects.find((o) => o.name === "Corners")?.functions.length).toBeGreaterThan(3);
      }
      if (name === "broken")
        expect(got).toMatch(/ModuleError: .*index\.ts:4:\d+: .*fix the syntax error/);
      if (name === "nomain") expect(got).toMatch(/^ModuleError: /);
      if (name === "tuple")
        expect(got).toMatch(/index\.ts:4:\d+: parameter x .*\(\[string, number\]\)/);
    }
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

describe("introspecting with the slice", () => {
  const dir = path.join(tmp.dir, "fallback");
  beforeAll(() =>
    writeTree(dir, {
      "gantry.json": JSON.stringify({ name: "fallback", source: ".gantry" }),
      ".gantry/src/index.ts": TRICKY.corners!,
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
