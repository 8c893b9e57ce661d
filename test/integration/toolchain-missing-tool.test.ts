// A check whose tool is not in the image (a Python project whose pyproject.toml configures Ruff that its
// dependencies never install) says "not checked" and names the tool, never passes nor fails the project; a real
// failure still fails; and the missing tool is a fact of the image, so a second ci runs nothing.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/toolchains/env-generic");
const tmp = tempDir("gantry-tc-missing-");
let project: string;
let stateDir: string;
let mod: string;

beforeAll(() => {
  project = path.join(tmp.dir, "env-generic");
  fs.cpSync(FIXTURE, project, { recursive: true });
  stateDir = path.join(tmp.dir, "state");
  fs.mkdirSync(stateDir);
  mod = path.join(project, ".gantry/src/index.ts");
  editModule(
    "      secretScan: false,\n",
    '      secretScan: false,\n      format: "ruff format --check .",\n      lint: "LINT_LEVEL=1 test -d .",\n',
  );
});
afterAll(() => tmp.cleanup());

// Replace a line of the copied module (it must be there); returns the text before, to put back.
function editModule(from: string, to: string): string {
  const src = fs.readFileSync(mod, "utf8");
  const changed = src.replace(from, to);
  expect(changed).not.toBe(src);
  fs.writeFileSync(mod, changed);
  return src;
}

const gantry = (args: string[]) =>
  runGantry(["--progress=plain", ...args], { cwd: project, stateDir });
const ran = (stderr: string) => stderr.split("\n").filter((l) => /✔ withExec/.test(l));

describe("a check whose tool is missing from the image", () => {
  it("says not checked with the tool's name, keeps ci green, and is cached", async () => {
    const first = await gantry(["call", "ci"]);
    expect(first.stderr).not.toMatch(/^Error/m);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^format\s+not checked/m);
    expect(first.stdout).toMatch(/^lint\s+passed/m);
    expect(first.stdout).toContain(
      "format: not checked: ruff format --check . could not run in the image gantry-test/busybox:latest",
    );
    expect(first.stdout).toMatch(/\(.*ruff: not found\)/);
    const second = await gantry(["call", "ci"]);
    expect(second.code).toBe(0);
    expect(ran(second.stderr)).toEqual([]);
    expect(second.stdout).toMatch(/^format\s+not checked/m);
  });

  it("still fails a check whose tool ran and failed", async () => {
    const r = await gantry(["call", "lint", "--args=extra"]);
    expect(r.code).not.toBe(0);
    // the project's command as written (with the arguments' "$@"), not the wrapper that spots a missing tool
    expect(r.stderr).toContain('task lint failed: `LINT_LEVEL=1 test -d . "$@"` exited with code');
    expect(r.stderr.slice(r.stderr.indexOf("task lint failed"))).not.toContain("c=$?");
  });

  it("on the host runtime, names the tool as missing on this host, for a check and for a task", async () => {
    const format = await gantry(["--runtime=host", "call", "format"]);
    expect(format.code).toBe(0);
    expect(format.stdout).toContain(
      "not checked: ruff format --check . could not run on this host (sh: 1: ruff: not found): install it on this host, or run with --runtime=docker (the task's image: gantry-test/busybox:latest)",
    );
    const src = editModule(
      '      format: "ruff',
      '      build: "no-such-tool-gantry --all",\n      format: "ruff',
    );
    try {
      const build = await gantry(["--runtime=host", "call", "build"]);
      expect(build.code).toBe(1);
      expect(build.stderr).toContain(
        "task build failed: `no-such-tool-gantry --all` exited with code 127",
      );
      expect(build.stderr).toContain(
        "Hint: no-such-tool-gantry is not installed on this host: install it on this host, or run with --runtime=docker",
      );
      const docker = await gantry(["call", "build"]);
      expect(docker.stderr).toContain(
        "Hint: no-such-tool-gantry is not installed in the task's image: add the tool to the project's dependencies or the image",
      );
    } finally {
      fs.writeFileSync(mod, src);
    }
  });

  it("names the secret scan's own image when that image cannot be had, and how to choose another or none", async () => {
    const src = editModule(
      "      secretScan: false,\n",
      '      scanImage: "gantry-test/no-such-scanner:1",\n',
    );
    try {
      const r = await gantry(["call", "security"]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        "the secret scan runs secretlint in its own image, gantry-test/no-such-scanner:1 (the toolchain's scanImage option), not the project's: image gantry-test/no-such-scanner:1 is not on this machine",
      );
      expect(r.stderr).toContain('give the toolchain scanImage: "<a Node image');
      expect(r.stderr).toContain("or turn the scan off with secretScan: false");
    } finally {
      fs.writeFileSync(mod, src);
    }
  });
});
