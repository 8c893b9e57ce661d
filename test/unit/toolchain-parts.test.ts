// The shell lines the presets generate for system packages and the smoke probe, run by a real shell against real
// fixture programs on PATH; and which ci tasks an image and a smoke test add.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { aptInstallCommand } from "../../src/toolchains/core/system-packages.js";
import { probeCommand } from "../../src/toolchains/core/smoke.js";
import { ciSteps } from "../../src/toolchains/core/workflows.js";
import { Database } from "../../src/toolchains/core/database.js";
import { UsageError } from "../../src/errors.js";
import { resolvePlan } from "../../src/toolchains/core/toolchain-plan.js";
import { mixAliasDb } from "../../src/toolchains/elixir/elixir-toolchain.js";
import { declaredPythonTools } from "../../src/toolchains/python/python-tools.js";
import { tempDir } from "./module-test-helpers.js";

const tmp = tempDir("gantry-tc-parts-");
afterAll(() => tmp.cleanup());

// A folder on PATH with fake programs: each prints its name and arguments, then exits with `code`.
function fakeBin(programs: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp.dir, "bin-"));
  for (const [name, body] of Object.entries(programs)) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  for (const tool of ["grep", "echo"]) {
    const real = execFileSync("sh", ["-c", `command -v ${tool} || true`])
      .toString()
      .trim();
    if (real.startsWith("/")) fs.symlinkSync(real, path.join(dir, tool));
  }
  return dir;
}
const sh = (line: string, bin: string) =>
  spawnSync("/bin/sh", ["-c", line], { env: { PATH: bin }, encoding: "utf8" });

describe("systemPackages", () => {
  it("skips apt when dpkg has every package, and installs them when one is missing", () => {
    const have = fakeBin({
      "dpkg-query":
        'for p in "$@"; do case $p in -*|*Status*) ;; *) echo "install ok installed";; esac; done',
      "apt-get": 'echo "apt-get $*"',
    });
    const skipped = sh(aptInstallCommand(["gcc", "libpq-dev"]), have);
    expect(skipped.stdout).toBe("already installed: gcc libpq-dev\n");
    const missing = fakeBin({
      "dpkg-query": 'case "$*" in *gcc*) echo "install ok installed";; esac',
      "apt-get": 'echo "apt-get $*"',
      rm: 'echo "rm $*"', // never the host's apt config
    });
    const ran = sh(aptInstallCommand(["gcc", "libpq-dev"]), missing);
    expect(ran.stdout).toContain("rm -f /etc/apt/apt.conf.d/docker-clean");
    expect(ran.stdout).toContain("apt-get update -q");
    expect(ran.stdout).toContain("apt-get install -y -q --no-install-recommends gcc libpq-dev");
  });
});

describe("smoke probe", () => {
  it("prints each answer and stops at the first failing path, naming it", () => {
    const bin = fakeBin({
      curl: 'case "$*" in *fail*) echo "curl: (22) 500" >&2; exit 22;; *) echo "body of $4";; esac',
    });
    const ok = sh(probeCommand(8000, ["/health", "api/items"]), bin);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("GET http://app:8000/health\nbody of http://app:8000/health");
    expect(ok.stdout).toContain("GET http://app:8000/api/items\nbody of http://app:8000/api/items");
    const bad = sh(probeCommand(8000, ["/fail", "/never"]), bin);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("GET http://app:8000/fail failed");
    expect(bad.stdout).not.toContain("/never");
  });

  it("says so when the probe image has no HTTP client", () => {
    const r = sh(probeCommand(80, ["/"]), fakeBin({}));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no curl, wget, python3 or node in the probe image");
  });
});

describe("ci with an image", () => {
  const defaults = {
    language: "x",
    image: "i",
    workdir: "/w",
    env: {},
    exclude: [],
    depsFiles: [],
    caches: [],
  };
  it("builds the image and smoke-tests it only when both are configured", () => {
    const none = ciSteps(resolvePlan({}, defaults), { fast: false, skip: "", exportDir: "" });
    expect(none.skipped).toEqual(expect.arrayContaining(["image", "smoke"]));
    const plan = resolvePlan(
      { dockerfile: "Dockerfile", smoke: { port: 80, paths: ["/"] } },
      defaults,
    );
    const all = ciSteps(plan, { fast: false, skip: "", exportDir: "" });
    expect([...all.run]).toEqual(expect.arrayContaining(["image", "smoke"]));
    const noImage = ciSteps(plan, { fast: false, skip: "image", exportDir: "" });
    expect(noImage.skipped).toEqual(expect.arrayContaining(["image", "smoke"]));
  });

  it("refuses --skip=setup (everything runs in it) and does not offer it", () => {
    const plan = resolvePlan({}, defaults);
    expect(() => ciSteps(plan, { fast: false, skip: "setup", exportDir: "" })).toThrow(
      /--skip=setup: every other task runs in what setup installs, so it always runs; the tasks --skip takes are format, lint,/,
    );
    expect(() => ciSteps(plan, { fast: false, skip: "lnt", exportDir: "" })).toThrow(
      /unknown task "lnt": the tasks --skip takes are format, lint, security, test, build, image, smoke$/,
    );
  });
});

describe("Elixir db from mix aliases", () => {
  it("maps the db.* aliases the project has, and nothing else", () => {
    const mix =
      '[\n  "db.migrate": ["cmd sh m.sh up"],\n  "db.seed": ["cmd psql -f s.sql"],\n  setup: []\n]';
    expect(mixAliasDb(mix)).toEqual({ migrate: "mix db.migrate", seed: "mix db.seed" });
    expect(mixAliasDb("defp aliases, do: []")).toEqual({});
  });
});

describe("Python tools a project declares", () => {
  it("reads requirements and config sections, not look-alike names", () => {
    const tools = declaredPythonTools([
      "Django>=3.2\nblack==23.1\nflake8-bugbear\n",
      "[tool.isort]\nprofile = 'black'\n",
    ]);
    expect(tools).toEqual({
      black: true,
      isort: true,
      flake8: false, // flake8-bugbear is a plugin, not flake8 itself
      ruff: false,
      pytest: false,
      coverage: false,
    });
    expect(declaredPythonTools(["pytest-cov==5\n"])).toMatchObject({
      pytest: true,
      coverage: true,
    });
  });
});

describe("db rollback --step", () => {
  it("takes a whole number of migrations, 1 or more, before anything runs", async () => {
    const host = {
      plan: () => Promise.reject(new Error("must not be reached")),
      workspace: () => Promise.reject(new Error("must not be reached")),
    };
    for (const step of [0, -1, 1.5]) {
      const r = new Database(host).rollback(step);
      await expect(r).rejects.toBeInstanceOf(UsageError);
      await expect(r).rejects.toThrow(
        `--step must be a whole number of migrations, 1 or more: got ${step}`,
      );
    }
    await expect(new Database(host).rollback(2)).rejects.toThrow("must not be reached");
  });
});
