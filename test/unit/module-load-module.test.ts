import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModuleError } from "../../src/errors.js";
import { bundleModule } from "../../src/module/bundle-module.js";
import { findModule } from "../../src/module/find-module.js";
import { bundleFor, importSdk, loadModule, startModuleLoad } from "../../src/module/load-module.js";
import { coreSdkEntry } from "../../src/module/sdk-facade.js";
import { projectStateDir } from "../../src/store/project-state-dir.js";
import { loadSignature } from "../../src/module/signature-cache.js";
import { digestModule } from "../../src/module/module-digest.js";
import { FIXTURES, copyFixture, tempDir, writeTree } from "./module-test-helpers.js";

const FAKE_SDK = path.join(FIXTURES, "fake-sdk/index.js");
let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

// Find, introspect and load a module folder against the fake SDK.
async function load(root: string) {
  const mod = findModule({ cwd: root });
  const { signature, digest } = await loadSignature(mod, { stateDir: path.join(dir, "state") });
  const sdk = await importSdk(FAKE_SDK);
  return {
    mod,
    loaded: await loadModule({
      mod,
      digest: digest.digest,
      signature,
      sdkEntry: FAKE_SDK,
      sdk,
      stateDir: path.join(dir, "state"),
      cwd: root,
    }),
  };
}

describe("loadModule", () => {
  it("bundles a Dagger module with @dagger.io/dagger pointed at the given SDK and finds its main class", async () => {
    const root = copyFixture("dagger-hello", dir);
    const { loaded } = await load(root);
    expect(loaded.mainClass.name).toBe("HelloDagger");
    const obj = new loaded.mainClass() as { hello(g?: string, n?: string, s?: boolean): string };
    expect(obj.hello(undefined, "gantry", true)).toBe("HELLO, GANTRY!");
    const code = fs.readFileSync(loaded.bundle, "utf8");
    // the core SDK beside the given entry: the very file importSdk loads for the CLI (sdk-facade.ts)
    expect(code).toContain(JSON.stringify(new URL(`file://${coreSdkEntry(FAKE_SDK)}`).href));
    expect(code).not.toContain("@dagger.io/dagger");
  });

  it("puts the bundle in the project's folder of the state dir, never in the project", async () => {
    const root = copyFixture("gantry-basic", dir);
    const before = listTree(root);
    const { loaded } = await load(root);
    const project = projectStateDir(path.join(dir, "state"), root);
    expect(path.dirname(loaded.bundle)).toBe(path.join(project, "bundles"));
    expect(JSON.parse(fs.readFileSync(path.join(project, "project.json"), "utf8"))).toEqual({
      path: root,
    });
    expect(listTree(root)).toEqual(before);
  });

  it("reuses the bundle of an unchanged module", async () => {
    const root = copyFixture("gantry-basic", dir);
    const first = (await load(root)).loaded.bundle;
    const mtime = fs.statSync(first).mtimeMs;
    const second = (await load(root)).loaded.bundle;
    expect(second).toBe(first);
    expect(fs.statSync(second).mtimeMs).toBe(mtime);
  });

  it("imports the module's own packages (ESM with exports, CJS, a subpath) from the bundle in the state dir", async () => {
    writeTree(dir, {
      "m/gantry.json": '{"name":"m"}',
      "m/.gantry/index.ts": [
        'import { object, func } from "gantry";',
        'import { v } from "local-dep";',
        'import { w } from "local-dep/extra";',
        'import cjs from "cjs-dep";',
        'import { named } from "cjs-dep";',
        'import { join } from "node:path";',
        "@object() export class M {",
        '  @func() v(): string { return [v, w, cjs.kind, named, join("a", "b")].join(" | ") }',
        "}",
      ].join("\n"),
      "m/.gantry/node_modules/local-dep/package.json": JSON.stringify({
        name: "local-dep",
        type: "module",
        exports: { ".": "./index.js", "./extra": "./lib/extra.js" },
      }),
      "m/.gantry/node_modules/local-dep/index.js":
        'export const v = "from the module\'s own dependency";\n',
      "m/.gantry/node_modules/local-dep/lib/extra.js": 'export const w = "subpath";\n',
      "m/node_modules/cjs-dep/package.json": '{"name":"cjs-dep","main":"main.js"}',
      "m/node_modules/cjs-dep/main.js": 'exports.kind = "cjs";\nexports.named = "named";\n',
    });
    const { loaded } = await load(path.join(dir, "m"));
    expect(loaded.bundle.startsWith(path.join(dir, "state"))).toBe(true);
    expect((new loaded.mainClass() as { v(): string }).v()).toBe(
      "from the module's own dependency | subpath | cjs | named | a/b",
    );
  });

  it("says which package to install when a bare import has none behind it", async () => {
    writeTree(dir, {
      "n/gantry.json": '{"name":"n"}',
      "n/.gantry/index.ts":
        'import { object } from "gantry";\nimport pad from "left-pad-nowhere";\n@object() export class N { x = pad }\n',
    });
    await expect(load(path.join(dir, "n"))).rejects.toThrow(
      /package "left-pad-nowhere" .*is not installed.*npm install left-pad-nowhere/s,
    );
  });

  it("finds an unexported main class by its decorator, also when the same bundle is loaded again", async () => {
    writeTree(dir, {
      "u/dagger.json": '{"name":"my-module","sdk":"typescript","source":".dagger"}',
      "u/.dagger/src/index.ts":
        'import { object, func } from "@dagger.io/dagger";\n@object() class Other {}\n@object() class MyModule { @func() hi(): string { return "hi" } }\n',
    });
    const first = (await load(path.join(dir, "u"))).loaded;
    expect(first.mainClass.name).toBe("MyModule");
    expect(Object.keys(first.exports)).toEqual([]);
    const again = (await load(path.join(dir, "u"))).loaded;
    expect(again.bundle).toBe(first.bundle);
    expect((new again.mainClass() as { hi(): string }).hi()).toBe("hi");
  });

  it("reports a compile error as file:line:col", async () => {
    const mod = {
      name: "broken",
      entry: path.join(dir, "index.ts"),
      digest: "d",
      sdkEntry: FAKE_SDK,
      cacheDir: path.join(dir, "cache"),
      gantryVersion: "0",
      cwd: dir,
    };
    fs.writeFileSync(mod.entry, "export const x = ;\n");
    await expect(bundleModule(mod)).rejects.toThrow(ModuleError);
    await expect(bundleModule(mod)).rejects.toThrow(/index\.ts:1:18: /);
  });

  it("says it was the module when its top-level code throws", async () => {
    writeTree(dir, {
      "t/gantry.json": '{"name":"t"}',
      "t/.gantry/index.ts":
        'import { object } from "gantry";\n@object() export class T {}\nthrow new Error("boom at load");\n',
    });
    await expect(load(path.join(dir, "t"))).rejects.toThrow(
      /loading \.gantry\/index\.ts failed: boom at load/,
    );
  });

  it("gives the bundle a source map whose sources are the module's own files, wherever the bundle lives", async () => {
    const src = path.join(dir, "mod/src");
    writeTree(dir, { "mod/src/index.ts": 'import { v } from "./lib.js";\nexport const x = v;\n' });
    writeTree(dir, { "mod/src/lib.ts": "export const v: number = 1;\n" });
    const file = await bundleModule({
      name: "m",
      entry: path.join(src, "index.ts"),
      digest: "d",
      sdkEntry: FAKE_SDK,
      cacheDir: path.join(dir, "elsewhere/cache"),
      gantryVersion: "0",
      cwd: dir,
    });
    const b64 = /sourceMappingURL=data:application\/json;base64,(\S+)/.exec(
      fs.readFileSync(file, "utf8"),
    )?.[1];
    const map = JSON.parse(Buffer.from(b64 ?? "", "base64").toString("utf8")) as {
      sourceRoot?: string;
      sources: string[];
    };
    // resolved as Node does when it maps a stack (source-map v3: sourceRoot + source, against the bundle's URL)
    const resolved = map.sources.map((s) =>
      fileURLToPath(new URL((map.sourceRoot ?? "") + s, pathToFileURL(file))),
    );
    expect(resolved.sort()).toEqual([path.join(src, "index.ts"), path.join(src, "lib.ts")]);
  });
});

describe("a bundle started ahead (while the signature is read)", () => {
  const state = () => path.join(dir, "state");
  async function ahead(root: string) {
    const mod = findModule({ cwd: root });
    const sdk = await importSdk(FAKE_SDK);
    const digest = digestModule(mod);
    const opts = {
      mod,
      digest: digest.digest,
      sdkEntry: FAKE_SDK,
      sdk,
      stateDir: state(),
      cwd: root,
    };
    return { mod, sdk, digest, opts };
  }

  it("is the bundle loadModule would make, and loadModule takes it instead of bundling again", async () => {
    const root = copyFixture("dagger-hello", dir);
    const { mod, sdk, digest, opts } = await ahead(root);
    const started = await startModuleLoad(mod, { stateDir: state(), cwd: root, packages: true });
    expect(started.nodePaths).toEqual([]); // no packages: none to resolve from
    const file = await started.bundle!;
    const { signature } = await loadSignature(mod, { stateDir: state(), digest });
    const own = await loadModule({
      ...opts,
      sdkEntry: started.sdkEntry,
      sdk: started.sdk,
      signature,
    });
    expect(own.bundle).toBe(file);
    // given another module's bundle, loadModule loads that one: it did not bundle this module itself
    writeTree(dir, {
      "other/gantry.json": '{"name":"other"}',
      "other/.gantry/index.ts":
        'import { object } from "gantry";\n@object() export class Other {}\n',
    });
    const other = await bundleFor((await ahead(path.join(dir, "other"))).opts);
    const loaded = await loadModule({
      ...opts,
      sdk,
      signature: { ...signature, mainObject: "Other" },
      bundle: Promise.resolve(other),
    });
    expect(loaded.bundle).toBe(other);
    expect(loaded.mainClass.name).toBe("Other");
  });

  it("keeps a compile error for loadModule to report, in its turn", async () => {
    writeTree(dir, {
      "b/gantry.json": '{"name":"b"}',
      // the signature reads it (TypeScript parses it), the bundle cannot (esbuild resolves the import)
      "b/.gantry/index.ts":
        'import { object } from "gantry";\nimport { y } from "./missing.js";\n@object() export class B {}\nexport const x = y;\n',
    });
    const { mod, digest, opts } = await ahead(path.join(dir, "b"));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => void unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const where = { stateDir: state(), cwd: path.join(dir, "b"), packages: true };
      const { bundle } = await startModuleLoad(mod, where);
      expect(bundle).toBeDefined();
      // the failure waits, unobserved, while the signature is read (no unhandled rejection)
      const { signature } = await loadSignature(mod, { stateDir: state(), digest });
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      await expect(loadModule({ ...opts, signature, bundle })).rejects.toThrow(
        /the module b does not compile:[\s\S]*index\.ts:2:[\s\S]*missing\.js/,
      );
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("is not started when the module's packages must be installed first", async () => {
    writeTree(dir, {
      "p/gantry.json": '{"name":"p"}',
      "p/.gantry/package.json": JSON.stringify({
        dependencies: { "left-pad-not-installed": "1.0.0" },
      }),
      "p/.gantry/index.ts": 'import { object } from "gantry";\n@object() export class P {}\n',
    });
    const { opts } = await ahead(path.join(dir, "p"));
    // what the commands call: `call` (packages) waits for the install; `check` bundles without them, as it always has
    const where = { stateDir: state(), cwd: path.join(dir, "p") };
    const forCall = await startModuleLoad(opts.mod, { ...where, packages: true });
    expect(forCall.bundle).toBeUndefined();
    expect(forCall.digest.digest).toBe(opts.digest);
    const forCheck = await startModuleLoad(opts.mod, { ...where, packages: false });
    expect(forCheck.nodePaths).toBeUndefined();
    expect(await forCheck.bundle).toMatch(/\.mjs$/);
  });
});

// Every path under root (files and folders), to show a load wrote nothing there.
function listTree(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[]).sort();
}
