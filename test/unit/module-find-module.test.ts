import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModuleError, UsageError } from "../../src/errors.js";
import { findModule } from "../../src/module/find-module.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

const ENTRY = "export class X {}\n";
let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe("findModule", () => {
  it("reads gantry.json with the default .gantry source", () => {
    writeTree(dir, { "gantry.json": '{"name":"my-ci"}', ".gantry/index.ts": ENTRY });
    const mod = findModule({ cwd: dir });
    expect(mod).toMatchObject({
      kind: "gantry",
      name: "my-ci",
      rootDir: dir,
      sourceDir: path.join(dir, ".gantry"),
    });
    expect(mod.entry).toBe(path.join(dir, ".gantry/index.ts"));
  });

  it("prefers <source>/src/index.ts over <source>/index.ts", () => {
    writeTree(dir, {
      "gantry.json": '{"name":"a","source":"ci"}',
      "ci/index.ts": ENTRY,
      "ci/src/index.ts": ENTRY,
    });
    expect(findModule({ cwd: dir }).entry).toBe(path.join(dir, "ci/src/index.ts"));
  });

  it("walks up from a sub-folder to the nearest config", () => {
    writeTree(dir, {
      "dagger.json": '{"name":"hello","sdk":"typescript","source":".dagger"}',
      ".dagger/src/index.ts": ENTRY,
    });
    fs.mkdirSync(path.join(dir, "app/src"), { recursive: true });
    const mod = findModule({ cwd: path.join(dir, "app/src") });
    expect(mod).toMatchObject({ kind: "dagger", name: "hello", rootDir: dir });
  });

  it("reads dagger.json's sdk as a string or {source}", () => {
    writeTree(dir, {
      "dagger.json": '{"name":"h","sdk":{"source":"typescript"},"source":"d"}',
      "d/index.ts": ENTRY,
    });
    expect(findModule({ cwd: dir }).sourceDir).toBe(path.join(dir, "d"));
  });

  it("takes a dagger.json without source as .dagger when it exists, else the config's folder (Dagger's rule)", () => {
    writeTree(dir, {
      "a/dagger.json": '{"name":"a","sdk":"typescript"}',
      "a/.dagger/src/index.ts": ENTRY,
    });
    writeTree(dir, { "b/dagger.json": '{"name":"b","sdk":"typescript"}', "b/src/index.ts": ENTRY });
    expect(findModule({ cwd: path.join(dir, "a") }).sourceDir).toBe(path.join(dir, "a/.dagger"));
    expect(findModule({ cwd: path.join(dir, "b") }).sourceDir).toBe(path.join(dir, "b"));
  });

  it("prefers gantry.json over dagger.json in the same folder", () => {
    writeTree(dir, {
      "gantry.json": '{"name":"g"}',
      "dagger.json": '{"name":"d","sdk":"typescript"}',
      ".gantry/index.ts": ENTRY,
    });
    expect(findModule({ cwd: dir }).name).toBe("g");
  });

  it("uses a bare .gantry/ in the cwd, named after the folder", () => {
    writeTree(dir, { "proj/.gantry/index.ts": ENTRY });
    const mod = findModule({ cwd: path.join(dir, "proj") });
    expect(mod).toMatchObject({ kind: "bare", name: "proj", rootDir: path.join(dir, "proj") });
  });

  it("ignores a .gantry/ that only holds caches and runs", () => {
    writeTree(dir, { "proj/.gantry/runs/x.jsonl": "" });
    expect(() => findModule({ cwd: path.join(dir, "proj") })).toThrow(/no module found/);
  });

  it("uses -m DIR relative to the cwd, without walking up", () => {
    writeTree(dir, { "ci/gantry.json": '{"name":"ci"}', "ci/.gantry/index.ts": ENTRY });
    expect(findModule({ cwd: dir, modDir: "ci" }).name).toBe("ci");
    fs.mkdirSync(path.join(dir, "empty"));
    expect(() => findModule({ cwd: dir, modDir: "empty" })).toThrow(ModuleError);
    expect(() => findModule({ cwd: dir, modDir: "missing" })).toThrow(UsageError);
    expect(() => findModule({ cwd: dir, modDir: "missing" })).toThrow(/-m missing: no such folder/);
  });

  it("names the file and the fix for a malformed config", () => {
    writeTree(dir, { "gantry.json": "{ name: nope" });
    expect(() => findModule({ cwd: dir })).toThrow(/gantry.json is not valid JSON .*fix the file/);
    writeTree(dir, { "gantry.json": '{"source":"x"}' });
    expect(() => findModule({ cwd: dir })).toThrow(/gantry.json has no "name"/);
    writeTree(dir, { "gantry.json": "[]" });
    expect(() => findModule({ cwd: dir })).toThrow(ModuleError);
  });

  it("rejects a dagger.json of another SDK, or without one", () => {
    writeTree(dir, { "dagger.json": '{"name":"py","sdk":"python"}' });
    expect(() => findModule({ cwd: dir })).toThrow(/TypeScript modules only/);
    writeTree(dir, { "dagger.json": '{"name":"deps"}' });
    expect(() => findModule({ cwd: dir })).toThrow(/names no "sdk"/);
  });

  it("names both entry paths when the source has no entry", () => {
    writeTree(dir, { "gantry.json": '{"name":"a"}' });
    fs.mkdirSync(path.join(dir, ".gantry"));
    expect(() => findModule({ cwd: dir })).toThrow(
      /neither \.gantry\/src\/index\.ts nor \.gantry\/index\.ts exists/,
    );
  });

  it("warns about unknown gantry.json keys instead of failing", () => {
    writeTree(dir, { "gantry.json": '{"name":"a","sourc":"x"}', ".gantry/index.ts": ENTRY });
    expect(findModule({ cwd: dir }).warnings).toEqual([
      'gantry.json: unknown key "sourc" is ignored',
    ]);
  });

  it("says where it looked when there is no module", () => {
    expect(() => findModule({ cwd: dir })).toThrow(
      /no gantry.json or dagger.json in .* or its parents/,
    );
  });
});
