// `gantry call` end to end on the host runtime, with functions that run no container: no Docker needed.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyFixture, tempDir } from "./module-test-helpers.js";
import { runGantry } from "./cli-test-helpers.js";
import { projectStateDir } from "../../src/store/project-state-dir.js";

let dir: string;
let root: string;
let cleanup: () => void;
const call = (args: string[], cwd = root) =>
  runGantry(["call", "--runtime=host", "--progress=plain", ...args], {
    cwd,
    stateDir: path.join(dir, "state"),
  });
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  root = copyFixture("gantry-basic", dir);
});
afterEach(() => cleanup());

describe("gantry call (host runtime, no containers)", () => {
  it("prints a string[] result one item per line, after chaining onto a module object", async () => {
    const r = await call(["report", "lines", "--count", "3"]);
    expect(r.stderr).toContain("▶ report");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("line 1\nline 2\nline 3\n");
  });

  it("passes constructor flags given before or after the function", async () => {
    expect((await call(["--node=22", "node"])).stdout).toBe("22\n");
    expect((await call(["node", "--node", "18"])).stdout).toBe("18\n");
    expect((await call(["node"])).stdout).toBe("20\n");
  });

  it("calls a Dagger module's function with kebab-case flags and a boolean", async () => {
    const hello = copyFixture("dagger-hello", dir);
    const r = await call(["hello", "--name=gantry", "--shout"], hello);
    expect(r.stdout).toBe("HELLO, GANTRY!\n");
  });

  it("writes the run's trace to the state dir, per project, and nothing into the project", async () => {
    const before = (fs.readdirSync(root, { recursive: true }) as string[]).sort();
    await call(["report", "summary"]);
    expect((fs.readdirSync(root, { recursive: true }) as string[]).sort()).toEqual(before);
    const runs = path.join(projectStateDir(path.join(dir, "state"), root), "runs");
    const [file] = fs.readdirSync(runs);
    const events = fs
      .readFileSync(path.join(runs, file as string), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.map((e) => e.type)).toEqual(["run.start", "step.start", "step.end", "run.end"]);
  });

  it("prints nothing for a void function", async () => {
    fs.writeFileSync(path.join(dir, "tok"), "secret-value\n");
    const r = await call(["deploy-app", `--token=file:${path.join(dir, "tok")}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
  });
});

describe("Dagger modules as they are written (main class not exported)", () => {
  it("lists and calls the functions of an unexported main class, and chains onto an unexported object", async () => {
    const mod = copyFixture("dagger-unexported", dir);
    const state = path.join(dir, "state");
    const fns = await runGantry(["functions"], { cwd: mod, stateDir: state });
    expect(fns.stderr).toBe("");
    expect(fns.code).toBe(0);
    expect(fns.stdout).toMatch(/hello\s+Say hello\./);
    expect(fns.stdout).toMatch(/greeting\s+A greeting object\./);
    expect((await call(["hello", "--name=dagger"], mod)).stdout).toBe("hello, dagger!\n");
    const chained = await call(["greeting", "--word=hey", "to", "--name=you"], mod);
    expect(chained.stderr).not.toMatch(/Error/);
    expect(chained.stdout).toBe("hey, you!\n");
  });

  it("runs the older decorator style (@field, @argument) with an unexported main class", async () => {
    const mod = copyFixture("dagger-legacy-unexported", dir);
    const fns = await runGantry(["functions"], { cwd: mod, stateDir: path.join(dir, "state") });
    expect(fns.code).toBe(0);
    expect(fns.stdout).toMatch(/count\s+Count the entries of the source folder\./);
    expect(fns.stdout).toMatch(/greeting\s+A field/);
    expect((await call(["shout", "--word=yo"], mod)).stdout).toBe("YO\n");
    expect((await call(["greeting"], mod)).stdout).toBe("hello from a field\n");
    // defaultPath "/" is the module's root (no git here): .dagger, a.txt, dagger.json; `ignored` left out
    expect((await call(["count"], mod)).stdout).toBe("3\n");
  });
});
