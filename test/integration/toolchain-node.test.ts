// The Node preset end to end on a small project: ci green, a second ci running nothing, checks, a broken
// variant failing by task name with the tool's own output, and format --fix writing back to the host.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/toolchains/node-mini");
const tmp = tempDir("gantry-tc-node-");
let project: string;
let stateDir: string;

beforeAll(() => {
  project = path.join(tmp.dir, "node-mini");
  fs.cpSync(FIXTURE, project, { recursive: true });
  stateDir = path.join(tmp.dir, "state");
  fs.mkdirSync(stateDir);
});
afterAll(() => tmp.cleanup());

const gantry = (args: string[]) =>
  runGantry(["--progress=plain", ...args], { cwd: project, stateDir });

/** Exec steps that really ran (not from cache) in plain progress output. */
const ran = (stderr: string) => stderr.split("\n").filter((l) => /✔ withExec/.test(l));

describe("node preset", () => {
  it("runs ci green and exports the build, then a second ci runs nothing", async () => {
    // exported outside the project: an export inside it would be new source for the next run
    const first = await gantry(["call", "ci", "--export=../ci-out"]);
    expect(first.stderr).not.toMatch(/^Error/m);
    expect(first.code).toBe(0);
    for (const task of ["setup", "format", "lint", "test", "build", "export"])
      expect(first.stdout).toMatch(new RegExp(`^${task}\\s+passed`, "m"));
    // the secret scan is off in this fixture: security says so instead of passing
    expect(first.stdout).toMatch(/^security\s+not checked/m);
    expect(first.stdout).toContain("security: not checked: the secret scan is turned off");
    expect(fs.readFileSync(path.join(tmp.dir, "ci-out/build/add.js"), "utf8")).toContain("a + b");
    expect(ran(first.stderr).length).toBeGreaterThan(3);

    const second = await gantry(["call", "ci"]);
    expect(second.code).toBe(0);
    expect(ran(second.stderr)).toEqual([]);
    expect(second.stderr).toMatch(/● withExec sh -c "npm test"/);
  });

  it("says when ci's export went into the project's source, and not when the exclude hides it", async () => {
    try {
      const inside = await gantry(["call", "ci", "--skip=test", "--export=out"]);
      expect(inside.code, inside.stderr).toBe(0);
      expect(inside.stdout).toContain(
        "note: the export went into the project's source (out/): the next ci sees it as changed source and runs again; export outside the project, or add \"out\" to the module's exclude",
      );
    } finally {
      fs.rmSync(path.join(project, "out"), { recursive: true, force: true });
    }
    // dist is in the preset's exclude: new files there are no source
    const ignored = await gantry(["call", "ci", "--skip=test", "--export=dist/ci"]);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(ignored.stdout).not.toContain("note: the export went into");
    fs.rmSync(path.join(project, "dist"), { recursive: true, force: true });
  });

  it("runs the checks in parallel with a summary table", async () => {
    const r = await gantry(["check"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^check\s+result\s+time/m);
    for (const c of ["format", "lint", "test"])
      expect(r.stdout).toMatch(new RegExp(`^${c}\\s+passed`, "m"));
    expect(r.stdout).toMatch(/^security\s+not checked/m);
    const list = await gantry(["check", "-l", "--skip", "security"]);
    expect(
      list.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(["Name", "format", "lint", "test"]);
  });

  it("fails a broken variant naming the task and showing the linter's own output", async () => {
    const file = path.join(project, "src/add.js");
    const good = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, `${good}\nexport var broken = 1;\n`);
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ci failed: lint failed/);
      expect(r.stderr).toMatch(/^lint\s+failed/m);
      expect(r.stderr).toMatch(/task lint failed: `npm run lint` exited with code 1/);
      expect(r.stderr).toMatch(/src\/add\.js:5: no-var: use let or const/);
      // the other tasks of the stage still ran and passed; build did not start
      expect(r.stderr).toMatch(/^test\s+passed/m);
      expect(r.stderr).not.toMatch(/npm run build/);

      const c = await gantry(["check", "lint", "--failfast"]);
      expect(c.code).toBe(1);
      expect(c.stdout).toMatch(/^lint\s+failed/m);
      expect(c.stderr).toMatch(/no-var/);
    } finally {
      fs.writeFileSync(file, good);
    }
  });

  it("format --fix shows the diff and writes the fix back to the project", async () => {
    const file = path.join(project, "src/add.js");
    fs.writeFileSync(file, "export function add(a, b) {  \n  return a + b;\n}\n");
    const check = await gantry(["call", "format"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/task format failed/);
    expect(check.stderr).toMatch(/src\/add\.js: trailing whitespace/);

    const fix = await gantry(["call", "format", "--fix"]);
    expect(fix.stderr).not.toMatch(/^Error/m);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toMatch(/^-export function add\(a, b\) \{ {2}$/m);
    expect(fix.stdout).toMatch(/^\+export function add\(a, b\) \{$/m);
    expect(fix.stdout).toContain("rewrote 1 file(s)");
    expect(fs.readFileSync(file, "utf8")).toBe("export function add(a, b) {\n  return a + b;\n}\n");
    // only the changed file was written: the rest of the project is as it was
    expect(fs.existsSync(path.join(project, "node_modules"))).toBe(false);
  });

  it("passes --args through npm to the script, and says when --strict has no strict variant to run", async () => {
    const r = await gantry(["call", "lint", "--strict", "--args=--max-warnings=0,-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('lint args: ["--max-warnings=0","-q"]');
    expect(r.stdout).toContain(
      "note: no lintStrict command is configured for node (npm): ran the plain lint, whose warnings may pass",
    );
    const plain = await gantry(["call", "lint"]);
    expect(plain.stdout).not.toContain("note:");
  });

  it("says which --skip names exist when one is wrong", async () => {
    const r = await gantry(["call", "ci", "--skip=lnt"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--skip names an unknown task "lnt": the tasks --skip takes are format, lint/,
    );
  });
});
