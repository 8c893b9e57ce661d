// Parsing what a module declares about its dependencies: dagger.json entries, git refs, packages, path aliases.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseModuleConfig } from "../../src/module/module-config.js";
import { parseGitDependency } from "../../src/module/dependency-source.js";
import { packagesToInstall } from "../../src/module/install-packages.js";
import { aliasTargets, readTsconfigPaths } from "../../src/module/tsconfig-paths.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe("dagger.json dependencies", () => {
  it("reads name, source and pin, naming a bare entry after its source", () => {
    const text = JSON.stringify({
      name: "m",
      sdk: "typescript",
      engineVersion: "v0.18.0",
      dependencies: [
        { name: "hello", source: "github.com/shykes/daggerverse/hello@v0.3.0", pin: "abc" },
        { source: "../lib" },
      ],
    });
    const { config } = parseModuleConfig("dagger", "dagger.json", text);
    expect(config.engineVersion).toBe("v0.18.0");
    expect(config.dependencies).toEqual([
      { name: "hello", source: "github.com/shykes/daggerverse/hello@v0.3.0", pin: "abc" },
      { name: "lib", source: "../lib" },
    ]);
  });

  it("refuses an entry without a source", () => {
    const text = JSON.stringify({ name: "m", sdk: "typescript", dependencies: [{ name: "x" }] });
    expect(() => parseModuleConfig("dagger", "dagger.json", text)).toThrow(
      /dependency 1 has no "source"/,
    );
  });
});

describe("git dependency refs", () => {
  it("splits URL, folder and ref", () => {
    expect(parseGitDependency("file:///srv/repo//mods/lib@main")).toEqual({
      url: "file:///srv/repo",
      subdir: "mods/lib",
      ref: "main",
    });
    expect(parseGitDependency("https://user@host/r.git@v1")).toEqual({
      url: "https://user@host/r.git",
      subdir: "",
      ref: "v1",
    });
    expect(parseGitDependency("github.com/org/repo/sub/dir@v2")).toEqual({
      url: "https://github.com/org/repo",
      subdir: "sub/dir",
      ref: "v2",
    });
    expect(parseGitDependency("../lib")).toBeUndefined();
  });
});

describe("module packages and aliases", () => {
  it("installs only what the SDK and the compiler are not", () => {
    writeTree(dir, {
      "package.json": JSON.stringify({
        dependencies: { "@dagger.io/dagger": "./sdk", typescript: "^5", ms: "2.1.3" },
      }),
    });
    expect(packagesToInstall(dir)).toEqual({ ms: "2.1.3" });
    expect(packagesToInstall(path.join(dir, "none"))).toEqual({});
  });

  it("reads tsconfig paths with comments and trailing commas, most specific alias first", () => {
    writeTree(dir, {
      "src/index.ts": "",
      "tsconfig.json":
        '{\n  // note\n  "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"], "@/lib/*": ["lib/*",], }, },\n}\n',
    });
    const tp = readTsconfigPaths(path.join(dir, "src/index.ts"), dir);
    expect(tp?.file).toBe(path.join(dir, "tsconfig.json"));
    expect(aliasTargets("@/lib/x.js", tp!)).toEqual([path.join(dir, "lib/x.js")]);
    expect(aliasTargets("@/a/b", tp!)).toEqual([path.join(dir, "src/a/b")]);
    expect(aliasTargets("lodash", tp!)).toEqual([]);
    fs.writeFileSync(path.join(dir, "tsconfig.json"), '{"compilerOptions": {}}');
    expect(readTsconfigPaths(path.join(dir, "src/index.ts"), dir)).toBeUndefined();
  });
});

describe("tsconfig extends", () => {
  it("finds paths and baseUrl in the configs a tsconfig extends, each relative to its own file", () => {
    writeTree(dir, {
      ".dagger/src/index.ts": "",
      ".dagger/tsconfig.json":
        '{ "extends": "../tsconfig.base.json", "compilerOptions": { "strict": true } }',
      "tsconfig.base.json":
        '{ "extends": "./tsconfig.root", "compilerOptions": { "paths": { "@lib/*": ["lib/*"] } } }',
      "tsconfig.root.json": '{ "compilerOptions": { "baseUrl": "./shared" } }',
    });
    const tp = readTsconfigPaths(path.join(dir, ".dagger/src/index.ts"), path.join(dir, ".dagger"));
    expect(tp?.file).toBe(path.join(dir, "tsconfig.base.json"));
    expect(tp?.files).toEqual([
      path.join(dir, ".dagger/tsconfig.json"),
      path.join(dir, "tsconfig.base.json"),
      path.join(dir, "tsconfig.root.json"),
    ]);
    expect(aliasTargets("@lib/x", tp!)).toEqual([path.join(dir, "shared/lib/x")]);
  });

  it("follows a package's config and lets the nearer config's paths win; a cycle ends the chain", () => {
    writeTree(dir, {
      "src/index.ts": "",
      "tsconfig.json":
        '{ "extends": ["@acme/tsconfig/base.json"], "compilerOptions": { "paths": { "@/*": ["src/*"] } } }',
      "node_modules/@acme/tsconfig/base.json":
        '{ "extends": "../../../tsconfig.json", "compilerOptions": { "baseUrl": "/nowhere", "paths": { "@/*": ["x/*"] } } }',
    });
    const tp = readTsconfigPaths(path.join(dir, "src/index.ts"), dir);
    expect(tp?.files).toEqual([
      path.join(dir, "tsconfig.json"),
      path.join(dir, "node_modules/@acme/tsconfig/base.json"),
    ]);
    // paths from the nearest config, baseUrl from the base that sets it
    expect(aliasTargets("@/a", tp!)).toEqual(["/nowhere/src/a"]);
  });
});

describe("the scan for missing Dagger API", () => {
  it("leaves a dependency's calls alone, even one named like a core field (dag.node)", async () => {
    const { findModule } = await import("../../src/module/find-module.js");
    const { introspectModule } = await import("../../src/module/introspect/introspect-module.js");
    const { digestModule } = await import("../../src/module/module-digest.js");
    writeTree(dir, {
      "dagger.json": JSON.stringify({
        name: "m",
        sdk: "typescript",
        source: ".dagger",
        dependencies: [{ name: "node", source: "../node" }],
      }),
      ".dagger/src/index.ts": [
        'import { dag, object, func } from "@dagger.io/dagger";',
        "@object() class M {",
        '  @func() a() { return dag.node().withVersion("20").file("x"); }',
        "  @func() b() { return dag.llm(); }",
        "}",
        "",
      ].join("\n"),
    });
    const mod = findModule({ cwd: dir });
    const sig = await introspectModule(mod, digestModule(mod).files);
    expect(sig.unsupported).toEqual([
      { call: "dag.llm", at: ".dagger/src/index.ts:4:28", fn: "b" },
    ]);
  });
});
