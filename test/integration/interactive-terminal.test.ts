// Shells through a real pseudo-terminal (tmux): `gantry call -i` opens one where an exec failed, in its container
// (docker) or its directory (host), with the exec's env, mounts and secrets; Container.terminal() opens one at
// its point of the chain and the pipeline goes on after it; without a terminal both say what they need.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { hasTmux, startTmux } from "../helpers/tmux-session.js";

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/modules/interactive");
const BIN = path.resolve(import.meta.dirname, "../../bin/gantry.js");
const tmp = tempDir("gantry-interactive-");
let project: string;
let stateDir: string;

beforeAll(() => {
  if (!hasTmux())
    throw new Error("tmux is not installed: apt-get install -y tmux (scripts/ensure-docker.sh)");
  project = path.join(tmp.dir, "project");
  fs.cpSync(FIXTURE, project, { recursive: true });
  stateDir = path.join(tmp.dir, "state");
  fs.mkdirSync(stateDir);
});
afterAll(() => tmp.cleanup());

// gantry in tmux with a clean environment: no CI, a terminal, this test's state dir.
function gantryOnTerminal(args: string[], extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: stateDir,
    TERM: "screen",
    GANTRY_STATE_DIR: stateDir,
    ...extraEnv,
  };
  if (process.env.DOCKER_HOST) env.DOCKER_HOST = process.env.DOCKER_HOST;
  return startTmux(["node", BIN, ...args], { cwd: project, env });
}

// The containers of this test (found by its marker) as the engine describes them.
function containersWithMarker(marker: string): { Config: { Env: string[]; Tty: boolean } }[] {
  const ids = execFileSync("docker", ["ps", "-q", "--filter", "label=gantry.managed=true"], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  if (ids.length === 0) return [];
  const all = JSON.parse(execFileSync("docker", ["inspect", ...ids], { encoding: "utf8" })) as {
    Config: { Env: string[]; Tty: boolean };
  }[];
  return all.filter((c) => c.Config.Env.includes(`MARKER=${marker}`));
}

describe.each(["docker", "host"] as const)("gantry call -i on the %s runtime", (runtime) => {
  it("opens a shell where the exec failed, with its files, env, cache mount and secret, then fails the call", async () => {
    const marker = `m${randomBytes(4).toString("hex")}`;
    const token = `tok-${randomBytes(8).toString("hex")}`;
    await using t = gantryOnTerminal(
      [
        `--runtime=${runtime}`,
        "--progress=plain",
        "call",
        "-i",
        "fail",
        `--marker=${marker}`,
        "--token=env:ITEST_TOKEN",
      ],
      { ITEST_TOKEN: token },
    );
    // what the command said comes first (scrubbed), then the shell
    await t.waitFor(
      /failed with exit code 3; its last lines:\s+│ boom: something broke \(token \*\*\*\)\s+Opening sh in its (container|directory on the host)/,
    );
    t.type(
      'echo "note=$(cat note.txt) cache=$(cat /cache/c.txt) marker=$MARKER tokenlen=${#TOKEN} pwd=$(pwd)"',
    );
    await t.waitFor(
      `note=left-behind cache=cached marker=${marker} tokenlen=${token.length} pwd=/work`,
    );
    if (runtime === "docker") {
      // the shell's container: a pseudo-terminal, and the secret nowhere in its config
      const shells = containersWithMarker(marker);
      expect(shells).toHaveLength(1);
      expect(shells[0]?.Config.Tty).toBe(true);
      expect(JSON.stringify(shells[0])).not.toContain(token);
    }
    t.type("exit");
    const screen = await t.waitFor(/\[exited \d+\]/);
    expect(screen).toContain("[exited 1]");
    expect(screen).toMatch(/exit code: 3/);
    expect(screen).not.toContain(token);
    if (runtime === "docker") expect(containersWithMarker(marker)).toEqual([]);
  });

  it("opens Container.terminal() at its point of the chain, and the pipeline goes on after the shell exits", async () => {
    await using t = gantryOnTerminal([`--runtime=${runtime}`, "--progress=plain", "call", "look"]);
    await t.waitFor("terminal(): opening sh (workdir /work)");
    t.type('echo "seen: $(cat hello.txt)"');
    await t.waitFor("seen: hello from the chain");
    t.type("exit");
    const screen = await t.waitFor(/\[exited \d+\]/);
    expect(screen).toContain("after the terminal: hello from the chain");
    expect(screen).toContain("[exited 0]");
  });

  it("opens a shell at `terminal` in a chain typed on the command line, then runs the rest of the chain", async () => {
    await using t = gantryOnTerminal([
      `--runtime=${runtime}`,
      "--progress=plain",
      "call",
      "base",
      "terminal",
      "with-exec",
      "--args=sh",
      "--args=-c",
      "--args=echo after the chain terminal: $(cat hello.txt)",
      "stdout",
    ]);
    await t.waitFor("terminal(): opening sh (workdir /work)");
    t.type('echo "seen: $(cat hello.txt)"');
    await t.waitFor("seen: hello from the chain");
    t.type("exit");
    const screen = await t.waitFor(/\[exited \d+\]/);
    expect(screen).toContain("after the chain terminal: hello from the chain");
    expect(screen).toContain("[exited 0]");
  });
});

describe("without a terminal", () => {
  it("refuses -i, saying stdin is not a terminal", async () => {
    const r = await runGantry(["call", "-i", "look"], { cwd: project, stateDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--interactive opens a shell on your terminal, and stdin is not a terminal",
    );
  });

  it("fails Container.terminal() saying it needs an interactive terminal", async () => {
    const r = await runGantry(["call", "look"], { cwd: project, stateDir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Container.terminal() (sh) needs an interactive terminal");
  });
});
