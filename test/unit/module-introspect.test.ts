import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModuleError } from "../../src/errors.js";
import { findModule } from "../../src/module/find-module.js";
import { introspectModule } from "../../src/module/introspect/introspect-module.js";
import { digestModule } from "../../src/module/module-digest.js";
import type { ModuleSignature, ObjectSignature } from "../../src/module/signature.js";
import { FIXTURES, tempDir, writeTree } from "./module-test-helpers.js";

// Introspect a module folder the way the CLI does (find, collect local files, parse).
async function introspect(cwd: string): Promise<ModuleSignature> {
  const mod = findModule({ cwd });
  return introspectModule(mod, digestModule(mod).files);
}

function fn(obj: ObjectSignature | undefined, name: string) {
  const f = obj?.functions.find((x) => x.name === name);
  if (!f) throw new Error(`no function ${name}`);
  return f;
}

describe("introspecting the Gantry-style fixture", () => {
  let sig: ModuleSignature;
  let main: ObjectSignature | undefined;
  beforeEach(async () => {
    sig = await introspect(path.join(FIXTURES, "gantry-basic"));
    main = sig.objects.find((o) => o.name === sig.mainObject);
  });

  it("picks the class named after the module", () => {
    expect(sig.moduleName).toBe("basic-ci");
    expect(sig.mainObject).toBe("BasicCi");
    expect(main?.doc).toBe(
      "The pipeline of a small Node project.\n\nSecond paragraph of the class doc.",
    );
  });

  it("reads constructor parameters with defaults and @param docs", () => {
    expect(main?.constructorParams).toEqual([
      {
        name: "node",
        type: { kind: "string" },
        optional: true,
        default: '"20"',
        doc: "Node version used by every step",
      },
    ]);
  });

  it("reads @func methods, @argument options, inferred types and @param docs", () => {
    const test = fn(main, "test");
    expect(test.doc?.split("\n")[0]).toBe("Run the test suite.");
    expect(test.returns).toEqual({ kind: "string" });
    expect(test.params).toEqual([
      {
        name: "source",
        type: { kind: "core", name: "Directory" },
        optional: false,
        doc: "the project to test",
        defaultPath: "/",
        ignore: ["node_modules", ".git"],
      },
      {
        name: "fast",
        type: { kind: "boolean" },
        optional: true,
        default: "false",
        doc: "skip the slow tests",
      },
    ]);
  });

  it("reads lists, optional numbers, SDK return types, aliases, enums and void", () => {
    const build = fn(main, "build");
    expect(build.returns).toEqual({ kind: "core", name: "Container" });
    expect(build.params.map((p) => [p.name, p.type, p.optional])).toEqual([
      ["source", { kind: "core", name: "Directory" }, false],
      ["tags", { kind: "list", of: { kind: "string" } }, true],
      ["retries", { kind: "number" }, true],
    ]);
    const deploy = fn(main, "deployApp");
    expect(deploy.alias).toBe("deploy-app");
    expect(deploy.returns).toEqual({ kind: "void" });
    expect(deploy.params[1]?.type).toEqual({
      kind: "enum",
      name: "Level",
      members: [
        { name: "Info", value: "info" },
        { name: "Warn", value: "warn" },
      ],
    });
  });

  it("lists fields, leaves undecorated methods out, and follows local imports to other objects", () => {
    expect(fn(main, "node")).toMatchObject({ kind: "field", returns: { kind: "string" } });
    expect(main?.functions.map((f) => f.name)).not.toContain("base");
    expect(fn(main, "report").returns).toEqual({ kind: "object", name: "Report" });
    const report = sig.objects.find((o) => o.name === "Report");
    expect(report).toMatchObject({
      exported: false,
      file: ".gantry/report.ts",
      doc: "A small report.",
    });
    expect(fn(report, "lines").returns).toEqual({ kind: "list", of: { kind: "string" } });
  });
});

describe("introspecting the Dagger-style fixture", () => {
  it("reads a dagger init module unchanged", async () => {
    const sig = await introspect(path.join(FIXTURES, "dagger-hello"));
    expect(sig.mainObject).toBe("HelloDagger");
    expect(sig.doc).toBe("A generated module for HelloDagger functions");
    const main = sig.objects[0];
    expect(main?.functions.map((f) => f.name)).toEqual([
      "publish",
      "build",
      "test",
      "buildEnv",
      "hello",
    ]);
    const buildEnv = fn(main, "buildEnv");
    expect(buildEnv.params).toEqual([
      {
        name: "source",
        type: { kind: "core", name: "Directory" },
        optional: false,
        defaultPath: "/",
        doc: "the source directory",
      },
      {
        name: "name",
        type: { kind: "string" },
        optional: true,
        default: '"x"',
        doc: "a greeting name",
      },
    ]);
    expect(buildEnv.returns).toEqual({ kind: "core", name: "Container" });
    expect(fn(main, "publish").returns).toEqual({ kind: "string" });
  });
});

describe("introspecting Dagger modules whose main class is not exported", () => {
  it("finds the main object by its decorator, with its functions and the helper objects", async () => {
    const sig = await introspect(path.join(FIXTURES, "dagger-unexported"));
    expect(sig.mainObject).toBe("MyModule");
    expect(sig.objects.map((o) => [o.name, o.exported])).toEqual([
      ["Greeting", false],
      ["MyModule", false],
    ]);
    const main = sig.objects.find((o) => o.name === "MyModule");
    expect(main?.functions.map((f) => f.name)).toEqual(["hello", "greeting", "echo"]);
    expect(fn(main, "greeting").returns).toEqual({ kind: "object", name: "Greeting" });
  });

  it("reads the older decorator style (@field, @argument with defaultPath and ignore)", async () => {
    const sig = await introspect(path.join(FIXTURES, "dagger-legacy-unexported"));
    expect(sig.mainObject).toBe("LegacyStyle");
    const main = sig.objects[0];
    expect(main?.functions.map((f) => [f.name, f.kind])).toEqual([
      ["greeting", "field"],
      ["count", "method"],
      ["shout", "method"],
    ]);
    expect(fn(main, "count").params[0]).toMatchObject({ defaultPath: "/", ignore: ["ignored"] });
  });
});

describe("introspection errors and edge cases", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it("reports a syntax error as file:line:col", async () => {
    writeTree(dir, {
      "gantry.json": '{"name":"broken"}',
      ".gantry/index.ts":
        'import { object } from "gantry";\n@object()\nexport class Broken {\n  go( {\n}\n',
    });
    await expect(introspect(dir)).rejects.toThrow(
      /\.gantry\/index\.ts:\d+:\d+: .*fix the syntax error/,
    );
  });

  it("explains a module without an @object class", async () => {
    writeTree(dir, {
      "gantry.json": '{"name":"empty"}',
      ".gantry/index.ts": "export const x = 1;\n",
    });
    await expect(introspect(dir)).rejects.toThrow(ModuleError);
    await expect(introspect(dir)).rejects.toThrow(/no class decorated with @object\(\)/);
  });

  it("resolves aliased and namespace imports of the SDK, and re-exports", async () => {
    writeTree(dir, {
      "gantry.json": '{"name":"alias"}',
      ".gantry/index.ts": 'export { Alias } from "./impl.js";\n',
      ".gantry/impl.ts": [
        'import * as g from "@dagger.io/dagger";',
        'import { func as fn, Directory as Dir } from "@dagger.io/dagger";',
        "@g.object()",
        "export class Alias {",
        "  @fn() run(src: Dir, n?: g.Secret): Promise<string[]> { return Promise.resolve([]) }",
        "}",
      ].join("\n"),
    });
    const sig = await introspect(dir);
    expect(sig.mainObject).toBe("Alias");
    expect(sig.objects[0]?.functions[0]).toMatchObject({
      name: "run",
      params: [
        { name: "src", type: { kind: "core", name: "Directory" } },
        { name: "n", type: { kind: "core", name: "Secret" }, optional: true },
      ],
      returns: { kind: "list", of: { kind: "string" } },
    });
  });

  it("warns about a destructured parameter and reads a rest parameter as a list flag (as Dagger does)", async () => {
    writeTree(dir, {
      "gantry.json": '{"name":"w"}',
      ".gantry/index.ts":
        'import { object, func } from "gantry";\n@object() export class W { @func() go({ a }: { a: string }, ...rest: string[]): void {} }\n',
    });
    const sig = await introspect(dir);
    expect(sig.objects[0]?.functions[0]?.params).toEqual([
      {
        name: "rest",
        type: { kind: "list", of: { kind: "string" } },
        optional: true,
        variadic: true,
      },
    ]);
    expect(sig.warnings).toEqual([
      "W.go: parameter { a } is destructured, which the CLI cannot pass; it is left out",
    ]);
  });

  it("warns about a parameter typed with a name it does not know, with the closest known type", async () => {
    writeTree(dir, {
      "gantry.json": '{"name":"u"}',
      ".gantry/types.ts": 'export type Mode = "a" | "b";\nexport type Name = string;\n',
      ".gantry/index.ts": [
        'import { object, func, Directory, Platform } from "@dagger.io/dagger";',
        'import * as dagger from "@dagger.io/dagger";',
        'import type { Mode, Name as N } from "./types.js";',
        'export enum Level { Low = "low" }',
        "type Local = string;",
        "@object() class Helper { constructor(private cfg: SomeConfig) {} }",
        "@object() export class U<C> {",
        "  @func() go(src: Directroy, who: Persn[], level: Levle, ok: Directory, anything: any, n = DEFAULT_N): string { return '' }",
        "  // known, so silent: the SDK's names, the module's own types, type parameters",
        "  @func() fine<T>(p: Platform, q: dagger.Platform, m: Mode, nm: N, l: Local, t: T, c: C, ts: T[]): string { return '' }",
        "}",
      ].join("\n"),
    });
    const sig = await introspect(dir);
    expect(sig.warnings).toEqual([
      "U.go: parameter src has type Directroy, which Gantry does not know (not a core type, an @object() class, an enum or a type of this module), so it is given the flag's text as a string. Did you mean Directory?",
      "U.go: parameter who has type Persn, which Gantry does not know (not a core type, an @object() class, an enum or a type of this module), so it is given the flag's text as a string.",
      "U.go: parameter level has type Levle, which Gantry does not know (not a core type, an @object() class, an enum or a type of this module), so it is given the flag's text as a string. Did you mean Level?",
    ]);
    // as before, the function is still there and its unknown parameters are strings on the CLI
    const go = sig.objects.find((o) => o.name === "U")?.functions.find((f) => f.name === "go");
    expect(go?.params.map((p) => p.type.kind)).toEqual([
      "unknown",
      "list",
      "unknown",
      "core",
      "unknown",
      "unknown",
    ]);
  });

  it("refuses a parameter typed as an object literal, naming it, its function, file:line and the supported types", async () => {
    writeTree(dir, {
      "gantry.json": '{"name":"o"}',
      ".gantry/index.ts": [
        'import { object, func } from "gantry";',
        "@object() export class O {",
        "  @func() ok(name: string): string { return name }",
        "  @func() run(opts: { a: string }): string { return opts.a }",
        "}",
      ].join("\n"),
    });
    const err = await introspect(dir).catch((e: unknown) => e as ModuleError);
    expect(err).toBeInstanceOf(ModuleError);
    expect((err as ModuleError).message).toBe(
      ".gantry/index.ts:4:21: parameter opts of O.run has an object literal type ({ a: string }), " +
        "which cannot be given as a function argument",
    );
    expect((err as ModuleError).hint).toMatch(
      /^give it one of the supported types \(string, number/,
    );
  });

  it("refuses object literals inside lists and optional unions, tuples and functions too", async () => {
    const cases: [string, string][] = [
      ["xs: { a: string }[]", "an object literal type"],
      ["x?: { a: string } | undefined", "an object literal type"],
      ["x: Array<{ a: string }>", "an object literal type"],
      ["x: [string, number]", "a tuple type"],
      ["x: () => void", "a function type"],
    ];
    for (const [param, kind] of cases) {
      writeTree(dir, {
        "gantry.json": '{"name":"o"}',
        ".gantry/index.ts": `import { object, func } from "gantry";\n@object() export class O { @func() run(${param}): void {} }\n`,
      });
      await expect(introspect(dir), param).rejects.toThrow(`of O.run has ${kind}`);
    }
  });
});
