// examples/elixir-phoenix-style end to end on the real engine with the Elixir preset: ci green (mix format, compile
// with warnings as errors, ExUnit with coverage), a second ci running nothing, one changed source file re-running
// only what reads the source, a broken test and a compiler warning failing ci by task name with mix's own output,
// and the db tasks through the project's psql scripts.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDevDataVolumes } from "../helpers/test-session.js";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { copyExample } from "../helpers/example-project.mjs";

const tmp = tempDir("gantry-ex-elixir-");
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
  ({ project, stateDir } = copyExample("elixir-phoenix-style", tmp.dir));
});
afterAll(() => {
  try {
    removeDevDataVolumes("inventory");
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

describe("examples/elixir-phoenix-style", () => {
  it("runs ci green with ExUnit's coverage, then a second ci runs nothing", async () => {
    const first = await gantry(["call", "ci", "--export=../ci-out"]);
    expect(first.stderr).not.toMatch(/^Error/m);
    expect(first.code).toBe(0);
    for (const task of ["setup", "format", "lint", "test", "export"])
      expect(first.stdout).toMatch(new RegExp(`^${task}\\s+passed`, "m"));
    // Hex is not installed (and the secret scan is off in this copy): said plainly, never a pass
    expect(first.stdout).toMatch(/^security\s+not checked/m);
    expect(first.stdout).toContain("is not installed in the image gantry-test/elixir:bookworm");
    expect(first.stderr).toMatch(/1 doctest, 7 tests, 0 failures/);
    expect(first.stderr).toMatch(/100\.00% \| Inventory\.Shelf/);
    const html = path.join(tmp.dir, "ci-out/reports/cover/Elixir.Inventory.Stock.html");
    expect(fs.readFileSync(html, "utf8")).toContain("Inventory.Stock");

    const second = await gantry(["call", "ci"]);
    expect(second.code).toBe(0);
    expect(ran(second.stderr)).toEqual([]);
  });

  it("re-runs only the steps that read a changed source file", async () => {
    const good = edit("lib/inventory/stock.ex", '@doc "Adds a delivery', '@doc "Adds one delivery');
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.stderr).not.toMatch(/^Error/m);
      expect(r.code).toBe(0);
      const steps = ran(r.stderr).join("\n");
      // psql and mix deps.get read only the image and mix.exs: still cached
      expect(r.stderr).toMatch(/● withExec sh -c "mix deps.get"/);
      expect(steps).not.toMatch(/mix deps.get|dpkg-query/);
      for (const cmd of ["mix compile --warnings-as-errors", "mix format", "mix test --cover"])
        expect(steps).toContain(cmd);
    } finally {
      fs.writeFileSync(path.join(project, "lib/inventory/stock.ex"), good);
    }
  });

  it("fails a broken test naming the task and showing ExUnit's own output", async () => {
    const good = edit("lib/inventory/stock.ex", "q + n}", "q + n + 1}");
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ci failed: test failed/);
      expect(r.stderr).toMatch(/task test failed: `mix test --cover` exited with code 2/);
      expect(r.stderr).toMatch(/test restocks \(Inventory\.StockTest\)/);
      expect(r.stderr).toMatch(/1 doctest, 7 tests, 1 failure/);
      expect(r.stderr).toMatch(/^format\s+passed/m);
    } finally {
      fs.writeFileSync(path.join(project, "lib/inventory/stock.ex"), good);
    }
  });

  it("fails setup on a compiler warning, and format on an unformatted file, with mix's own output", async () => {
    const good = edit(
      "lib/inventory/stock.ex",
      "def low?(%{quantity: q, reorder_at: r}), do: q <= r",
      "def low?(%{quantity: q, reorder_at: r}) do\n    unused = 1\n    q <= r\n  end",
    );
    try {
      const r = await gantry(["call", "setup"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /task setup failed: `mix compile --warnings-as-errors` exited with code 1/,
      );
      expect(r.stderr).toMatch(/variable "unused" is unused/);
    } finally {
      fs.writeFileSync(path.join(project, "lib/inventory/stock.ex"), good);
    }
    const good2 = edit("lib/inventory.ex", "|> Enum.sort()", "|>   Enum.sort()");
    try {
      const r = await gantry(["call", "format"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/task format failed: `mix format --check-formatted`/);
      expect(r.stderr).toMatch(/The following files are not formatted:[\s\S]*lib\/inventory\.ex/);
    } finally {
      fs.writeFileSync(path.join(project, "lib/inventory.ex"), good2);
    }
  });

  it("runs the db tasks through the project's psql scripts against a persistent database", async () => {
    const reset = await gantry(["call", "db", "reset"]);
    expect(reset.stderr).not.toMatch(/^Error/m);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/dropped database inventory_dev/);
    expect(reset.stdout).toMatch(/applied 001_items\napplied 002_reorder_at/);
    expect(reset.stdout).toMatch(/seeded 2 items/);
    const rb = await gantry(["call", "db", "rollback", "--step", "1"]);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toMatch(/rolled back 002_reorder_at/);
    const cols = await gantry([
      "call",
      "db",
      "shell",
      "--command",
      "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items'",
    ]);
    expect(cols.stdout.trim()).toBe("2");
  });
});
