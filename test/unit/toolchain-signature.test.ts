// A module that extends a preset gets the whole catalog: functions with docs, checks, and the db group to chain on.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runGantry } from "./cli-test-helpers.js";
import { tempDir, writeTree } from "./module-test-helpers.js";
import { findModule } from "../../src/module/find-module.js";
import { loadSignature } from "../../src/module/signature-cache.js";
import { mainObjectOf } from "../../src/module/signature.js";

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/toolchains/node-mini");
const tmp = tempDir("gantry-tc-sig-");
afterAll(() => tmp.cleanup());

describe("a module extending a preset", () => {
  it("lists the catalog with one-line docs", async () => {
    const r = await runGantry(["functions"], { cwd: FIXTURE, stateDir: tmp.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const fn of [
      "setup",
      "clean",
      "reset",
      "format",
      "lint",
      "security",
      "test",
      "build",
      "db",
      "quality",
      "ci",
    ])
      expect(r.stdout).toMatch(new RegExp(`^${fn}\\s+\\S`, "m"));
    expect(r.stdout).toMatch(/^ci\s+The whole pipeline: setup, then quality and test in parallel/m);
    expect(r.stdout).not.toMatch(/^(plan|workspace|defaults|base|test-run)\b/m);
  });

  it("marks format, lint, security and test as checks, and the db group's functions are chainable", async () => {
    const mod = findModule({ cwd: FIXTURE });
    const { signature } = await loadSignature(mod, { stateDir: tmp.dir });
    const main = mainObjectOf(signature);
    const checks = main.functions.filter((f) => f.check).map((f) => f.name);
    expect(checks.sort()).toEqual(["format", "lint", "security", "test"]);
    const db = main.functions.find((f) => f.name === "db");
    expect(db?.returns).toEqual({ kind: "object", name: "Database" });
    const dbObj = signature.objects.find((o) => o.name === "Database");
    expect(dbObj?.library).toBe(true);
    expect(dbObj?.functions.map((f) => f.name)).toEqual(
      expect.arrayContaining(["create", "migrate", "rollback", "seed", "reset", "shell"]),
    );
    const rollback = dbObj?.functions.find((f) => f.name === "rollback");
    expect(rollback?.params).toEqual([
      expect.objectContaining({ name: "step", type: { kind: "number" }, optional: true }),
    ]);
    // the module's own constructor wins over the preset's
    expect(main.constructorParams.map((p) => p.name)).toEqual(["source", "image"]);
  });

  it("shows help for a chained group function, with its flags", async () => {
    const r = await runGantry(["call", "db", "rollback", "--help"], {
      cwd: FIXTURE,
      stateDir: tmp.dir,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--step");
  });

  it("takes the preset's constructor when the module declares none, and its own override of a function", async () => {
    const dir = path.join(tmp.dir, "bare");
    writeTree(dir, {
      "gantry.json": '{ "name": "bare", "source": ".gantry" }',
      ".gantry/src/index.ts": `import { object, func, PythonToolchain } from "gantry";
@object()
export class Bare extends PythonToolchain {
  /** My own lint. */
  @func()
  override async lint(): Promise<string> { return "mine"; }
}
`,
    });
    const mod = findModule({ cwd: dir });
    const { signature } = await loadSignature(mod, { stateDir: tmp.dir });
    const main = mainObjectOf(signature);
    expect(main.constructorParams.map((p) => p.name)).toEqual(["source", "options"]);
    expect(main.constructorParams[0]?.defaultPath).toBe(".");
    const lint = main.functions.filter((f) => f.name === "lint");
    expect(lint).toHaveLength(1);
    expect(lint[0]?.doc).toBe("My own lint.");
    expect(lint[0]?.check).toBeUndefined();
    expect(fs.existsSync(path.join(dir, ".gantry"))).toBe(true);
  });
});
