// examples/python-django-api end to end on the real engine with the Python preset: ci green (Black, isort, Flake8,
// Django's tests under coverage against PostgreSQL, the image built and its health and API endpoints called), a
// second ci running nothing, one changed source file re-running only what reads the source, a broken test failing
// ci by task name with Django's own output, and Django's migrate as `db reset`/`db migrate`.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDevDataVolumes } from "../helpers/test-session.js";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { copyExample } from "../helpers/example-project.mjs";

const tmp = tempDir("gantry-ex-django-");
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
  ({ project, stateDir } = copyExample("python-django-api", tmp.dir));
});
afterAll(() => {
  try {
    removeDevDataVolumes("django_api");
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

describe("examples/python-django-api", () => {
  it("runs ci green up to the image's smoke test, then a second ci runs nothing", async () => {
    const first = await gantry(["call", "ci", "--export=../ci-out"]);
    expect(first.stderr).not.toMatch(/^Error/m);
    expect(first.code).toBe(0);
    for (const task of ["setup", "format", "lint", "test", "image", "smoke", "export"])
      expect(first.stdout).toMatch(new RegExp(`^${task}\\s+passed`, "m"));
    // pip-audit is not in the image: said plainly, never a pass
    expect(first.stdout).toMatch(/^security\s+not checked/m);
    expect(first.stdout).toContain("pip-audit -r requirements-dev.txt -r requirements.txt) is not");
    // Django's runner against PostgreSQL, under coverage
    expect(first.stderr).toMatch(/Ran 7 tests in/);
    expect(first.stderr).toMatch(/TOTAL\s+\d+\s+\d+\s+\d+%/);
    const coverage = fs.readFileSync(path.join(tmp.dir, "ci-out/reports/coverage.xml"), "utf8");
    expect(coverage).toMatch(/<class name="views.py" filename="items\/views.py"/);
    // the built image migrated its database on start and answered both calls
    expect(first.stderr).toContain('{"status": "ok", "database": "postgresql"}');
    expect(first.stderr).toContain('{"items": []}');

    const second = await gantry(["call", "ci"]);
    expect(second.code).toBe(0);
    expect(ran(second.stderr)).toEqual([]);
    expect(second.stdout).toMatch(/^smoke\s+passed/m);
  });

  it("re-runs only the steps that read a changed source file", async () => {
    const good = edit("items/views.py", '"""One item, or 404."""', '"""One item by id, or 404."""');
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.stderr).not.toMatch(/^Error/m);
      expect(r.code).toBe(0);
      const steps = ran(r.stderr).join("\n");
      // the system packages and pip read only the requirements: still cached
      expect(r.stderr).toMatch(/● withExec sh -c "pip install -r requirements-dev.txt/);
      expect(steps).not.toMatch(/pip install|dpkg-query/);
      for (const cmd of ["black --check", "flake8", "coverage run manage.py test", "docker build"])
        expect(steps).toContain(cmd);
      expect(steps).toMatch(/withExec sh -c "fetch\(\)/);
    } finally {
      fs.writeFileSync(path.join(project, "items/views.py"), good);
    }
  });

  it("fails a broken test naming the task and showing Django's own output", async () => {
    const good = edit("items/views.py", "status=409", "status=400");
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ci failed: test failed/);
      expect(r.stderr).toMatch(/^test\s+failed/m);
      expect(r.stderr).toMatch(/task test failed: `python3 -m coverage run manage.py test/);
      expect(r.stderr).toMatch(/FAIL: test_refuses_a_duplicate_name/);
      expect(r.stderr).toMatch(/AssertionError: 400 != 409/);
      // the rest of the stage ran and passed; the image was not built
      expect(r.stderr).toMatch(/^lint\s+passed/m);
      expect(r.stderr).not.toMatch(/▶ docker build/);
    } finally {
      fs.writeFileSync(path.join(project, "items/views.py"), good);
    }
  });

  it("fails lint with Flake8's own report", async () => {
    const good = edit(
      "items/models.py",
      "from django.db import models\n",
      "import os\n\nfrom django.db import models\n",
    );
    try {
      const r = await gantry(["call", "lint"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/task lint failed: `flake8` exited with code 1/);
      expect(r.stderr).toMatch(/items\/models\.py:1:1: F401 'os' imported but unused/);
    } finally {
      fs.writeFileSync(path.join(project, "items/models.py"), good);
    }
  });

  it("migrates the development database with manage.py migrate, and db reset drops it", async () => {
    const reset = await gantry(["call", "db", "reset"]);
    expect(reset.stderr).not.toMatch(/^Error/m);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/dropped database django_api_dev/);
    expect(reset.stdout).toMatch(/Applying items\.0001_initial\.\.\. OK/);
    const again = await gantry(["call", "db", "migrate"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No migrations to apply/);
    const tables = await gantry([
      "call",
      "db",
      "shell",
      "--command",
      "SELECT count(*) FROM items_item",
    ]);
    expect(tables.stdout.trim()).toBe("0");
    // the example sets no rollback: the message gives a Django command to set, not an npm script
    const rollback = await gantry(["call", "db", "rollback"]);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toContain(
      'no rollback command is configured: set db.rollback in the module (e.g. "python3 manage.py migrate APP PREVIOUS_MIGRATION")',
    );
  });
});
