// `gantry init` and `gantry develop` give a module editor types, as `dagger develop` does: tsc resolves "gantry" to
// the SDK's declarations (a type error in the module is reported, the module as written checks clean), the copy is
// gitignored, and develop refreshes it while keeping a tsconfig.json the person edited.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { runGantry } from "./cli-test-helpers.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

const TSC = path.resolve(import.meta.dirname, "../../node_modules/typescript/bin/tsc");
const tmp = tempDir("gantry-develop-");
afterAll(() => tmp.cleanup());

// tsc over the module's own tsconfig.json: its exit code and what it said.
async function tsc(sourceDir: string): Promise<{ code: number; out: string }> {
  try {
    const r = await promisify(execFile)("node", [TSC, "-p", sourceDir]);
    return { code: 0, out: r.stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, out: err.stdout };
  }
}

describe("editor types", () => {
  it("init writes them: the module as written checks clean, and a type error in it is caught", async () => {
    const dir = path.join(tmp.dir, "make-project");
    writeTree(dir, { Makefile: "test:\n\ttrue\n" });
    const r = await runGantry(["init"], { cwd: dir, stateDir: path.join(tmp.dir, "state") });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'Editor types: .gantry/tsconfig.json maps "gantry" to .gantry/sdk/ (gitignored; gantry develop refreshes it)',
    );
    const src = path.join(dir, ".gantry");
    expect(fs.existsSync(path.join(src, "sdk/index.d.ts"))).toBe(true);
    expect(fs.readFileSync(path.join(src, ".gitignore"), "utf8")).toBe("/sdk/\n");
    expect(await tsc(src)).toEqual({ code: 0, out: "" });
    // the types are Gantry's, not `any`: a Container is not a number
    const entry = path.join(src, "src/index.ts");
    fs.appendFileSync(
      entry,
      '\nimport { dag as d } from "gantry";\nexport const n: number = d.container();\n',
    );
    const bad = await tsc(src);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/error TS2322: Type 'Container' is not assignable to type 'number'/);
  });

  it("develop refreshes the SDK copy and keeps an existing tsconfig.json and .gitignore lines", async () => {
    const dir = path.join(tmp.dir, "dagger-style");
    writeTree(dir, {
      "dagger.json": '{ "name": "my-module", "sdk": "typescript", "source": ".dagger" }',
      ".dagger/src/index.ts":
        'import { dag, func, object } from "@dagger.io/dagger";\n@object()\nexport class MyModule {\n  @func()\n  hello(): Promise<string> {\n    return dag.container().from("alpine").withExec(["echo", "hi"]).stdout();\n  }\n}\n',
      ".dagger/tsconfig.json": "{}\n",
      ".dagger/.gitignore": "node_modules",
    });
    const state = path.join(tmp.dir, "state");
    const r = await runGantry(["develop"], { cwd: dir, stateDir: state });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Wrote \d+ declaration files into \.dagger\/sdk\/ \(gitignored\); \.dagger\/tsconfig\.json was kept/,
    );
    expect(fs.readFileSync(path.join(dir, ".dagger/tsconfig.json"), "utf8")).toBe("{}\n");
    expect(fs.readFileSync(path.join(dir, ".dagger/.gitignore"), "utf8")).toBe(
      "node_modules\n/sdk/\n",
    );
    fs.rmSync(path.join(dir, ".dagger/sdk/index.d.ts"));
    expect((await runGantry(["develop"], { cwd: dir, stateDir: state })).code).toBe(0);
    expect(fs.existsSync(path.join(dir, ".dagger/sdk/index.d.ts"))).toBe(true);
    expect(fs.readFileSync(path.join(dir, ".dagger/.gitignore"), "utf8")).toBe(
      "node_modules\n/sdk/\n",
    );
    // a folder named sdk/ that Gantry did not write is never replaced
    const own = path.join(tmp.dir, "own-sdk");
    writeTree(own, {
      "gantry.json": '{ "name": "x", "source": "." }',
      "src/index.ts": fs.readFileSync(path.join(dir, ".dagger/src/index.ts"), "utf8"),
      "sdk/mine.txt": "the project's own",
    });
    const refused = await runGantry(["develop"], { cwd: own, stateDir: state });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is not Gantry's copy of its SDK (no .gantry-sdk in it)");
    expect(fs.readdirSync(path.join(own, "sdk"))).toEqual(["mine.txt"]);
    expect(fs.existsSync(path.join(own, "tsconfig.json"))).toBe(false);
    const u = await runGantry(["develop", "--bogus"], { cwd: dir, stateDir: state });
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("gantry develop: unknown argument --bogus");
  });
});
