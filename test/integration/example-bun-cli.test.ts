// examples/bun-cli end to end with the Bun preset, in containers (gantry-test/bun: Bun and just from npm) and on the
// host runtime: ci green, a second ci running nothing, one changed source file re-running only what reads it, a
// broken test failing ci by task name with bun test's own output, and parity: `just test` on the host and
// `gantry call test` in containers report the same tests with the same results (passing and failing).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { copyExample } from "../helpers/example-project.mjs";
import { bunHostTools, bunTestResults } from "../helpers/bun-host-tools.js";

const tmp = tempDir("gantry-ex-bun-");
let project: string;
let stateDir: string;
let hostPath: string;

beforeAll(() => {
  ({ project, stateDir } = copyExample("bun-cli", tmp.dir));
  hostPath = `${bunHostTools(tmp.dir)}:${process.env.PATH ?? "/usr/bin:/bin"}`;
});
afterAll(() => tmp.cleanup());

const env = () => ({ PATH: hostPath, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "" });
const gantry = (args: string[]) =>
  runGantry(["--progress=plain", ...args], { cwd: project, stateDir, env: env() });

/** `just RECIPE` in the project on the host, as a person runs it. */
const just = (recipe: string) => {
  const r = spawnSync("just", [recipe], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, PATH: hostPath },
  });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
};

/** Exec steps that really ran (not from cache) in plain progress output. */
const ran = (stderr: string) => stderr.split("\n").filter((l) => /✔ withExec/.test(l));

// Rewrite a file for the duration of fn.
async function withEdit<T>(file: string, edit: (s: string) => string, fn: () => Promise<T>) {
  const full = path.join(project, file);
  const good = fs.readFileSync(full, "utf8");
  const bad = edit(good);
  expect(bad).not.toBe(good);
  fs.writeFileSync(full, bad);
  try {
    return await fn();
  } finally {
    fs.writeFileSync(full, good);
  }
}

const breakTest = (s: string) => s.replace("[2, 3, 14]", "[2, 3, 15]");

describe("examples/bun-cli in containers", () => {
  it("runs ci green, then a second ci runs no exec", async () => {
    const first = await gantry(["call", "ci", "--export=../ci-out"]);
    expect(first.stderr).not.toMatch(/^Error/m);
    expect(first.code).toBe(0);
    for (const task of ["setup", "format", "lint", "test", "build", "export"])
      expect(first.stdout).toMatch(new RegExp(`^${task}\\s+passed`, "m"));
    expect(first.stderr).toContain("All matched files use Prettier code style!");
    expect(first.stderr).toMatch(/6 pass/);
    // the bundle runs: wordstat counts a file
    const bundle = path.join(tmp.dir, "ci-out/build/cli.js");
    const out = spawnSync("bun", [bundle, "--top", "1", path.join(project, "justfile")], {
      encoding: "utf8",
      env: { ...process.env, PATH: hostPath },
    });
    expect(out.stdout).toMatch(/^lines: \d+\nwords: \d+\nchars: \d+\ntop: bun \(\d+\)\n$/);

    const second = await gantry(["call", "ci"]);
    expect(second.code).toBe(0);
    expect(ran(second.stderr)).toEqual([]);
    expect(second.stderr).toMatch(/● withExec sh -c "bun run test"/);
  });

  it("re-runs only the steps that read a changed source file", async () => {
    await withEdit(
      "src/cli.ts",
      (s) => s.replace("const USAGE", "// printed on -h\nconst USAGE"),
      async () => {
        const r = await gantry(["call", "ci"]);
        expect(r.code).toBe(0);
        const execs = ran(r.stderr).join("\n");
        // bun install reads package.json and bun.lock only: still cached
        expect(r.stderr).toMatch(/● withExec sh -c "bun install --frozen-lockfile"/);
        expect(execs).not.toMatch(/bun install/);
        for (const cmd of ["bun run format:check", "bun run lint", "bun run test", "bun run build"])
          expect(execs).toContain(cmd);
      },
    );
  });

  it("fails a broken test naming the task and showing bun test's own output", async () => {
    await withEdit("test/stats.test.ts", breakTest, async () => {
      const r = await gantry(["call", "ci"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ci failed: test failed/);
      expect(r.stderr).toMatch(/^test\s+failed/m);
      expect(r.stderr).toMatch(/task test failed: `bun run test` exited with code 1/);
      expect(r.stderr).toContain("(fail) stats > counts lines, words and characters");
      expect(r.stderr).toMatch(/1 fail/);
      expect(r.stderr).toMatch(/^lint\s+passed/m);
      expect(r.stderr).not.toMatch(/withExec sh -c "bun run build"/);
    });
  });
});

describe("just test on the host and gantry call test in containers", () => {
  it("report the same tests with the same results", async () => {
    const host = just("test");
    expect(host.code).toBe(0);
    const inContainer = await gantry(["call", "test"]);
    expect(inContainer.code).toBe(0);
    const a = bunTestResults(host.output);
    const b = bunTestResults(inContainer.stdout);
    expect(a.tests).toHaveLength(6);
    expect(a.tests.every((t) => t.startsWith("(pass) "))).toBe(true);
    expect(b).toEqual(a);
  });

  it("fail the same test the same way", async () => {
    await withEdit("test/stats.test.ts", breakTest, async () => {
      const host = just("test");
      expect(host.code).not.toBe(0);
      const inContainer = await gantry(["call", "test"]);
      expect(inContainer.code).toBe(1);
      const a = bunTestResults(host.output);
      // the step's whole log (the error shows its last lines only): plain progress lines `HH:MM:SS #N │ …`
      const log = inContainer.stderr
        .split("\n")
        .filter((l) => /^\d\d:\d\d:\d\d #\d+ │/.test(l))
        .join("\n");
      const b = bunTestResults(log);
      expect(a.tests).toContain("(fail) stats > counts lines, words and characters");
      expect(a.summary).toContain("1 fail");
      expect(b).toEqual(a);
    });
  });
});

describe("examples/bun-cli on the host runtime", () => {
  it("runs ci green with the host's bun, and its test gives the containers' results", async () => {
    const r = await gantry(["--runtime=host", "call", "ci"]);
    expect(r.stderr).not.toMatch(/^Error/m);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/runtime: host/);
    for (const task of ["setup", "format", "lint", "test", "build"])
      expect(r.stdout).toMatch(new RegExp(`^${task}\\s+passed`, "m"));
    const onHost = await gantry(["--runtime=host", "call", "test"]);
    const inContainer = await gantry(["call", "test"]);
    expect(bunTestResults(onHost.stdout)).toEqual(bunTestResults(inContainer.stdout));
    expect(bunTestResults(onHost.stdout).tests).toHaveLength(6);
  });
});

describe("the preset calling the justfile's recipes (taskRunner: just)", () => {
  it("runs `just test` for test, in containers and on the host, with the same results as `just test`", async () => {
    const mod = path.join(project, ".gantry/src/index.ts");
    await withEdit(
      ".gantry/src/index.ts",
      (s) => s.replace("      image,\n", '      image,\n      taskRunner: "just",\n'),
      async () => {
        expect(fs.readFileSync(mod, "utf8")).toContain('taskRunner: "just"');
        const host = bunTestResults(just("test").output);
        for (const runtime of ["docker", "host"]) {
          const r = await gantry([`--runtime=${runtime}`, "call", "test"]);
          expect(r.stderr).not.toMatch(/^Error/m);
          expect(r.code).toBe(0);
          expect(r.stderr).toMatch(/withExec just test/);
          expect(bunTestResults(r.stdout)).toEqual(host);
        }
        const lint = await gantry(["call", "lint"]);
        expect(lint.code).toBe(0);
        expect(lint.stderr).toMatch(/withExec just lint/);
        expect(lint.stderr).toMatch(/withExec just install/);
      },
    );
  });
});
