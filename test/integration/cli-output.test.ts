// `gantry call -o PATH` and `--json` (Dagger's `dagger call` flags), with-exec's options on the command line, and
// `gantry core` (a chain on the root, with no module): real processes against a real engine.
import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BUSYBOX, runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");
const WORK = mkdtempSync(path.join(os.tmpdir(), "gantry-cli-output-"));
const MOD = path.join(WORK, "e2e-module");
cpSync(path.join(ROOT, "test/fixtures/e2e-module"), MOD, { recursive: true });
const STATE = path.join(WORK, "state");

function gantry(args: string[], cwd?: string) {
  return runCommand("node", [BIN, ...args], {
    env: { GANTRY_STATE_DIR: STATE },
    cwd,
    timeoutMs: 120_000,
  });
}

describe("gantry call -o and --json", () => {
  it("-o exports a Directory and a File, and writes a string, relative to the current folder", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "gantry-o-"));
    const dir = await gantry(
      ["call", "-m", MOD, "-o", "./out", "hello", "directory", "--path=/out"],
      cwd,
    );
    expect(dir.status, dir.out).toBe(0);
    expect(await readdir(path.join(cwd, "out"))).toEqual(["greeting"]);
    expect(await readFile(path.join(cwd, "out/greeting"), "utf8")).toBe("hello\n");
    expect(dir.stderr).toContain(`Saved to ${JSON.stringify(path.join(cwd, "out"))}.`);
    expect(dir.stdout).toBe("");
    // after the chain, as Dagger's flags are read anywhere a function has no flag of that name
    const file = await gantry(
      ["call", "-m", MOD, "hello", "file", "--path=/out/greeting", "--output=nested/g.txt"],
      cwd,
    );
    expect(file.status, file.out).toBe(0);
    expect(await readFile(path.join(cwd, "nested/g.txt"), "utf8")).toBe("hello\n");
    const text = await gantry(
      ["call", "-m", MOD, "-o", "said.txt", "hello", "--greeting=hi", "stdout"],
      cwd,
    );
    expect(text.status, text.out).toBe(0);
    expect(await readFile(path.join(cwd, "said.txt"), "utf8")).toBe("hi\n");
    expect(text.stdout).toBe("hi\n");
    expect(text.stderr).toContain(`Saved output to ${JSON.stringify(path.join(cwd, "said.txt"))}.`);
  });

  it("-o into a path under a file says so before anything runs, and exits 2", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "gantry-o-bad-"));
    writeFileSync(path.join(cwd, "taken"), "a file\n");
    const r = await gantry(
      ["call", "-m", MOD, "-o", "taken/out", "hello", "directory", "--path=/out"],
      cwd,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${path.join(cwd, "taken")} is a file, not a directory`);
    expect(r.stderr).not.toContain("runtime:");
    expect(await readFile(path.join(cwd, "taken"), "utf8")).toBe("a file\n");
  });

  it("--json prints a string, a list and a module object as JSON", async () => {
    const s = await gantry(["call", "-m", MOD, "--json", "hello", "--greeting=hi", "stdout"]);
    expect(s.status, s.out).toBe(0);
    expect(JSON.parse(s.stdout)).toBe("hi\n");
    const list = await gantry([
      "call",
      "-m",
      MOD,
      "hello",
      "directory",
      "--path=/out",
      "entries",
      "--json",
    ]);
    expect(list.status, list.out).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual(["greeting"]);
    const obj = await gantry(["call", "-m", MOD, "--json", "release"]);
    expect(obj.status, obj.out).toBe(0);
    // its simple fields; the Container field and the function are left out, as Dagger leaves them
    expect(JSON.parse(obj.stdout)).toEqual({
      _type: "Release",
      version: "1.2.0",
      tags: ["latest", "stable"],
    });
  });

  it("an unknown flag before the function names gantry call's own flags too", async () => {
    const r = await gantry(["call", "-m", MOD, "--jsonn", "hello"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "unknown flag --jsonn: it is neither a flag of e2e's constructor (it takes no flags) nor of gantry call, whose flags are -o/--output, --json,",
    );
    expect(r.stderr).toContain("Did you mean --json?");
  });
});

describe("with-exec's options on the command line", () => {
  it("--expect=ANY lets the chain read a failing command's exit code; --stdin feeds it", async () => {
    const r = await gantry([
      "call",
      "-m",
      MOD,
      "hello",
      "with-exec",
      "--args=sh,-c,cat; exit 3",
      "--stdin=from stdin",
      "--expect=ANY",
      "exit-code",
    ]);
    expect(r.status, r.out).toBe(0);
    expect(r.stdout).toBe("3\n");
    const out = await gantry([
      "call",
      "-m",
      MOD,
      "hello",
      "with-exec",
      "--args=sh,-c,cat; exit 3",
      "--stdin=from stdin",
      "--expect=ANY",
      "stdout",
    ]);
    expect(out.stdout).toBe("from stdin\n");
    const bad = await gantry([
      "call",
      "-m",
      MOD,
      "hello",
      "with-exec",
      "--args=true",
      "--expect=MAYBE",
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--expect must be one of SUCCESS, FAILURE, ANY, got "MAYBE"');
  });
});

describe("gantry core", () => {
  it("runs a chain on the root without a module: container from, with-exec, stdout", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "gantry-core-"));
    const r = await gantry(
      [
        "core",
        "container",
        "from",
        `--address=${BUSYBOX}`,
        "with-exec",
        "--args=echo,hi from core",
        "stdout",
      ],
      cwd,
    );
    expect(r.status, r.out).toBe(0);
    expect(r.stdout).toBe("hi from core\n");
    expect(r.stderr).toContain("runtime:");
    // -o works on its results as on call's: a directory built on the command line, exported
    const d = await gantry(
      [
        "core",
        "-o",
        "built",
        "directory",
        "with-new-file",
        "--path=a.txt",
        "--contents=x",
        "with-new-directory",
        "--path=sub",
      ],
      cwd,
    );
    expect(d.status, d.out).toBe(0);
    expect((await readdir(path.join(cwd, "built"))).sort()).toEqual(["a.txt", "sub"]);
    const help = await gantry(["core", "--help"], cwd);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/container\s+An empty container/);
    expect(help.stdout).not.toContain("set-secret");
    const top = await gantry(["--help"], cwd);
    expect(top.stdout).toMatch(/core WORD/);
    const failing = await gantry(
      [
        "core",
        "container",
        "from",
        `--address=${BUSYBOX}`,
        "with-exec",
        "--args=sh,-c,echo broke >&2; exit 4",
        "stdout",
      ],
      cwd,
    );
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain("exit 4");
    expect(failing.stderr).toContain("broke");
  });
});
