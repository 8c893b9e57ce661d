import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModuleError } from "../../src/errors.js";
import { bundleModule } from "../../src/module/bundle-module.js";
import { findModule } from "../../src/module/find-module.js";
import { importSdk, loadModule } from "../../src/module/load-module.js";
import { moduleCacheDir } from "../../src/module/module-cache-dir.js";
import { loadSignature } from "../../src/module/signature-cache.js";
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
    expect(code).toContain(JSON.stringify(new URL(`file://${FAKE_SDK}`).href));
    expect(code).not.toContain("@dagger.io/dagger");
  });

  it("puts the bundle beside the module's node_modules, or under <root>/.gantry/cache", async () => {
    const root = copyFixture("gantry-basic", dir);
    expect(moduleCacheDir(findModule({ cwd: root }))).toBe(path.join(root, ".gantry/cache"));
    fs.mkdirSync(path.join(root, ".gantry/node_modules"));
    expect(moduleCacheDir(findModule({ cwd: root }))).toBe(
      path.join(root, ".gantry/node_modules/.cache/gantry"),
    );
  });

  it("reuses the bundle of an unchanged module", async () => {
    const root = copyFixture("gantry-basic", dir);
    const first = (await load(root)).loaded.bundle;
    const mtime = fs.statSync(first).mtimeMs;
    const second = (await load(root)).loaded.bundle;
    expect(second).toBe(first);
    expect(fs.statSync(second).mtimeMs).toBe(mtime);
  });

  it("leaves other packages to the module's own node_modules", async () => {
    writeTree(dir, {
      "m/gantry.json": '{"name":"m"}',
      "m/.gantry/index.ts":
        'import { object, func } from "gantry";\nimport { v } from "local-dep";\n@object() export class M { @func() v(): string { return v } }\n',
      "m/.gantry/node_modules/local-dep/package.json":
        '{"name":"local-dep","type":"module","exports":"./index.js"}',
      "m/.gantry/node_modules/local-dep/index.js":
        'export const v = "from the module\'s own dependency";\n',
    });
    const { loaded } = await load(path.join(dir, "m"));
    expect((new loaded.mainClass() as { v(): string }).v()).toBe(
      "from the module's own dependency",
    );
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
});
