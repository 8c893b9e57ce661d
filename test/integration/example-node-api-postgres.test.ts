// examples/node-api-postgres end to end on the real engine with the Node preset: ci green (tsc as lint, node:test
// against PostgreSQL, the build), a second ci running nothing, one changed source file re-running only what reads
// the source, a broken test failing ci by task name with node:test's own output, and the project's migrations
// and seed through the db tasks.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDevDataVolumes } from "../helpers/test-session.js";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { copyExample } from "../helpers/example-project.mjs";

const tmp = tempDir("gantry-ex-node-api-");
let project: string;
let stateDir: string;

/** `file` in the project with `from` replaced by `to`; the replacement must have happened. */
function edit(file: string, from: string, to: string): string {
  const p = path.join(project, file);
  const src = fs.readFileSync(p, "utf8");
  const out = src.replace(from, to);
  expect(out, `${file} should contain ${from}`).not.toBe(src);
  fs.writeFileSync(p, out);
  return src;
}

beforeAll(() => {
  ({ project, stateDir } = copyExample("node-api-postgres", tmp.dir));
});
afterAll(() => {
  try {
    removeDevDataVolumes("node-api-postgres");
  } catch {
    // already gone
  }
  tmp.cleanup();
});

const gantry = (args: string[]) =>
  runGantry(["--progress=plain", ...args], { cwd: project, stateDir });

/** Steps that really ran (not from cache) in plain progress output: execs, image builds, services. */
const ran = (stderr: string) =>
  stderr.split("\n").filter((l) => /✔ (withExec|docker build|service) /.test(l));

describe("examples/node-api-postgres", () => {
  it("runs ci green with the tests against PostgreSQL, then a second ci runs nothing", async () => {
    const first = await gantry(["call", "ci", "--export=../ci-out"]);
    expect(first.stderr).not.toMatch(/^Error/m);
    expect(first.code).toBe(0);
    for (const task of ["setup", "lint", "test", "build", "export"])
      expect(first.stdout).toMatch(new RegExp(`^${task}\\s+passed`, "m"));
    // no format script, and the secret scan off in this copy: said plainly, never a pass
    expect(first.stdout).toMatch(/^format\s+not checked/m);
    expect(first.stdout).toMatch(/^security\s+not checked/m);
    expect(first.stdout).toContain("format: not checked: no format command is configured");
    // node:test's own summary: every test ran, against the real database
    expect(first.stderr).toMatch(/# pass 5/);
    expect(first.stderr).toMatch(/# fail 0/);
    const built = path.join(tmp.dir, "ci-out/build/src/server.js");
    expect(fs.readFileSync(built, "utf8")).toContain("createServer");

    const second = await gantry(["call", "ci"]);
    expect(second.code).toBe(0);
    expect(ran(second.stderr)).toEqual([]);
  });

  it("re-runs only the steps that read a changed source file", async () => {
    const good = edit("src/app.ts", "/** The API's request handler", "/** The request handler");
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.stderr).not.toMatch(/^Error/m);
      expect(r.code).toBe(0);
      const steps = ran(r.stderr).join("\n");
      // npm ci reads package.json and the lockfile only: still cached
      expect(r.stderr).toMatch(/● withExec sh -c "npm ci --no-audit --no-fund"/);
      expect(steps).not.toMatch(/npm ci/);
      for (const cmd of ["npm run build", "npm run lint", "npm test"]) expect(steps).toContain(cmd);
    } finally {
      fs.writeFileSync(path.join(project, "src/app.ts"), good);
    }
  });

  it("fails a broken test naming the task and showing node:test's own output", async () => {
    const good = edit(
      "src/app.ts",
      "return send(res, 201, rows[0]);",
      "return send(res, 200, rows[0]);",
    );
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ci failed: test failed/);
      expect(r.stderr).toMatch(/^test\s+failed/m);
      expect(r.stderr).toMatch(/task test failed: `npm test` exited with code 1/);
      expect(r.stderr).toMatch(/not ok \d+ - creates, lists and completes todos in PostgreSQL/);
      expect(r.stderr).toMatch(/# fail 1/);
      expect(r.stderr).toMatch(/^lint\s+passed/m);
    } finally {
      fs.writeFileSync(path.join(project, "src/app.ts"), good);
    }
  });

  it("fails setup on a type error with tsc's own message", async () => {
    const good = edit("src/db.ts", "max: 5", 'max: "5"');
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ci failed: setup failed/);
      expect(r.stderr).toMatch(/task setup failed: `npm run build` exited with code 2/);
      expect(r.stderr).toMatch(/src\/db\.ts\(\d+,\d+\): error TS2322/);
    } finally {
      fs.writeFileSync(path.join(project, "src/db.ts"), good);
    }
  });

  it("migrates, rolls back, seeds and resets the development database with the project's scripts", async () => {
    const reset = await gantry(["call", "db", "reset"]);
    expect(reset.stderr).not.toMatch(/^Error/m);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/dropped database node-api-postgres_dev/);
    expect(reset.stdout).toMatch(/applied 001_todos\napplied 002_todos_created_at/);
    expect(reset.stdout).toMatch(/seeded 2 todos/);
    const rb = await gantry(["call", "db", "rollback", "--step", "2"]);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toMatch(/rolled back 002_todos_created_at\nrolled back 001_todos/);
    const up = await gantry(["call", "db", "migrate"]);
    expect(up.stdout).toMatch(/applied 001_todos/);
    // the rollback dropped the seeded rows with the table
    const count = await gantry(["call", "db", "shell", "--command", "SELECT count(*) FROM todos"]);
    expect(count.stdout.trim()).toBe("0");
  });
});
