// The CLI as a person uses it: real processes, a real engine, Ctrl-C, a killed run, secrets on the command line.
import { describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  closeServer,
  freePort,
  listenLoopback,
  makeStateDir,
  runCommand,
} from "../helpers/test-session.js";
import { projectStateDir } from "../../src/store/project-state-dir.js";
import { processIsAlive } from "../../src/process-alive.js";
import { hasTmux, startTmux } from "../helpers/tmux-session.js";
import { execProcesses, leftovers } from "../helpers/run-leftovers.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");
// A temp copy of the fixture module and a temp state dir: runs write traces and caches, never into the repository.
const WORK = mkdtempSync(path.join(os.tmpdir(), "gantry-cli-"));
const MOD = path.join(WORK, "e2e-module");
cpSync(path.join(ROOT, "test/fixtures/e2e-module"), MOD, { recursive: true });
const STATE = path.join(WORK, "state");

function gantry(args: string[], env: Record<string, string> = {}, cwd?: string) {
  return runCommand("node", [BIN, ...args], {
    env: { GANTRY_STATE_DIR: STATE, ...env },
    cwd,
    timeoutMs: 120_000,
  });
}

/** Start a slow call and resolve once both of its execs' processes are running. */
function startSlow(state: string) {
  const nonce = String(Math.random());
  const child = spawn("node", [BIN, "call", "-m", MOD, "slow", `--nonce=${nonce}`], {
    env: { ...process.env, CI: "true", GANTRY_STATE_DIR: state },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const started = new Promise<void>((resolve, reject) => {
    child.on("exit", () => reject(new Error(`gantry exited early:\n${stderr}`)));
    const poll = setInterval(() => {
      if (execProcesses(nonce).length < 2) return;
      clearInterval(poll);
      resolve();
    }, 100);
    child.on("exit", () => clearInterval(poll));
  });
  // as a shell reports it: the exit code, or 128 + the number of the signal that ended the process
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) =>
      resolve(code ?? (signal ? 128 + os.constants.signals[signal] : null)),
    ),
  );
  return { child, nonce, started, exited, stderr: () => stderr };
}

describe("gantry CLI", () => {
  it("Ctrl-C mid-run stops, leaves no container, network, base tag or exec process, and exits 130", async () => {
    const run = startSlow(await makeStateDir());
    await run.started;
    expect(leftovers(run.child.pid!, run.nonce)).not.toBe("");
    const t0 = Date.now();
    run.child.kill("SIGINT");
    const code = await run.exited;
    expect(code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(leftovers(run.child.pid!, run.nonce)).toBe("");
  });

  it.each([
    ["SIGTERM", 143, "Terminated (SIGTERM): stopping the run"],
    ["SIGHUP", 129, "Hung up (SIGHUP: the terminal closed): stopping the run"],
  ] as const)(
    "%s mid-run cleans up as Ctrl-C does and exits %i",
    async (signal, exitCode, said) => {
      const run = startSlow(await makeStateDir());
      await run.started;
      expect(leftovers(run.child.pid!, run.nonce)).not.toBe("");
      run.child.kill(signal);
      expect(await run.exited).toBe(exitCode);
      expect(run.stderr()).toContain(said);
      expect(leftovers(run.child.pid!, run.nonce)).toBe("");
    },
  );

  it.skipIf(!hasTmux())(
    "closing the terminal mid-run (its tty gone) still leaves nothing behind",
    async () => {
      const state = await makeStateDir();
      const pidFile = path.join(state, "gantry.pid");
      const statusFile = path.join(state, "gantry.status");
      const nonce = String(Math.random());
      // gantry's parent ignores the hang-up (gantry itself does not: the default is restored for it), so it outlives
      // the terminal and writes down how gantry ended: its exit code, or minus the signal that ended it
      const parent = [
        "import signal, subprocess, sys",
        "signal.signal(signal.SIGHUP, signal.SIG_IGN)",
        "p = subprocess.Popen(sys.argv[3:], preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))",
        "open(sys.argv[1], 'w').write(str(p.pid))",
        "open(sys.argv[2], 'w').write(str(p.wait()))",
      ].join("\n");
      const tmux = startTmux(
        [
          "python3",
          "-c",
          parent,
          pidFile,
          statusFile,
          "node",
          BIN,
          "call",
          "-m",
          MOD,
          "slow",
          `--nonce=${nonce}`,
        ],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? "", GANTRY_STATE_DIR: state, HOME: os.homedir() },
        },
      );
      try {
        // the live view redraws in place: wait for the run's two execs' processes instead of its lines
        const running = async (): Promise<number | undefined> => {
          const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
          return pid && execProcesses(nonce).length >= 2 ? pid : undefined;
        };
        let pid: number | undefined;
        for (let i = 0; i < 300 && pid === undefined; i++) {
          pid = await running();
          if (pid === undefined) await new Promise((r) => setTimeout(r, 200));
        }
        if (pid === undefined)
          throw new Error(`the run did not start its execs:\n${tmux.screen()}`);
        expect(leftovers(pid, nonce)).not.toBe("");
        tmux.kill(); // the tmux server goes: the pane's tty closes, gantry gets SIGHUP and writes to a dead terminal
        const t0 = Date.now();
        while (processIsAlive(pid) && Date.now() - t0 < 30_000)
          await new Promise((r) => setTimeout(r, 200));
        expect(processIsAlive(pid)).toBe(false);
        expect(leftovers(pid, nonce)).toBe("");
        // ended by the hang-up (-1) or exit code 129; Node 20's exit on a dead terminal would abort instead (-6)
        let status = "";
        for (let i = 0; i < 50 && status === ""; i++) {
          status = await readFile(statusFile, "utf8").catch(() => "");
          if (status === "") await new Promise((r) => setTimeout(r, 100));
        }
        expect(["-1", "129"]).toContain(status);
      } finally {
        tmux.kill();
      }
    },
  );

  it("a run that was killed outright is cleaned up by the next run", async () => {
    const state = await makeStateDir();
    const run = startSlow(state);
    await run.started;
    run.child.kill("SIGKILL");
    await run.exited;
    expect(leftovers(run.child.pid!, run.nonce)).not.toBe("");
    const next = await gantry(["call", "-m", MOD, "hello"], { GANTRY_STATE_DIR: state });
    expect(next.status).toBe(0);
    expect(leftovers(run.child.pid!, run.nonce)).toBe("");
  });

  it("takes a secret from env: and masks it everywhere it prints", async () => {
    const state = await makeStateDir();
    const value = `tok-${Math.random().toString(36).slice(2)}`;
    const r = await gantry(["call", "-m", MOD, "leak", "--token=env:E2E_TOKEN"], {
      GANTRY_STATE_DIR: state,
      E2E_TOKEN: value,
    });
    expect(r.stderr + r.stdout).not.toContain(value);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`len=${value.length} value=***`);
    expect(r.stderr).toContain("err=***");
    const runs = path.join(projectStateDir(state, MOD), "runs");
    for (const f of await readdir(runs))
      expect(await readFile(path.join(runs, f), "utf8")).not.toContain(value);
  });

  it("runs a Dagger module whose main class is not exported (Dagger's example style) on Docker", async () => {
    const state = await makeStateDir();
    const mod = path.join(ROOT, "test/fixtures/modules/dagger-unexported");
    const fns = await gantry(["functions", "-m", mod], { GANTRY_STATE_DIR: state });
    expect(fns.status, fns.out).toBe(0);
    expect(fns.stdout).toMatch(/echo\s+Echo a word in a container\./);
    const r = await gantry(
      ["call", "-m", mod, "--runtime=docker", "echo", "--word=unexported", "stdout"],
      {
        GANTRY_STATE_DIR: state,
      },
    );
    expect(r.status, r.out).toBe(0);
    expect(r.stdout).toBe("unexported\n");
  });

  it("names an unset secret variable without printing anything secret", async () => {
    const r = await gantry(["call", "-m", MOD, "leak", "--token=env:GANTRY_E2E_UNSET_VAR"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("GANTRY_E2E_UNSET_VAR");
    expect(r.stderr).toContain("--token");
  });

  it("reports a failing step with function, command, exit code and its output", async () => {
    const r = await gantry(["call", "-m", MOD, "fail"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("fail");
    expect(r.stderr).toContain("exit 3");
    expect(r.stderr).toMatch(/code 3|exit code 3|exited with code 3/);
    expect(r.stderr).toContain("assertion failed: 1 != 2");
  });

  it("binds a tcp:// service flag to a port of this machine (a loopback-only server)", async () => {
    const http = await import("node:http");
    const server = http.createServer((req, res) => res.end(`host says hi to ${req.url}\n`));
    const port = await listenLoopback(server);
    try {
      const r = await gantry([
        "call",
        "-m",
        MOD,
        "fetch",
        `--api=tcp://localhost:${port}`,
        "--path=/cli",
      ]);
      expect(r.stderr).toContain(`host service ${port}→localhost:${port}`);
      expect(r.stdout).toBe("host says hi to /cli\n");
      expect(r.status).toBe(0);
      const bad = await gantry(["call", "-m", MOD, "fetch", "--api=localhost:1"]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain("--api expects a service address like tcp://localhost:5432");
    } finally {
      await closeServer(server);
    }
  });

  it.each([
    ["a returned Service", ["call", "-m", MOD, "web"], "hello from web\n"],
    [
      "a Container built on the command line",
      [
        "core",
        "container",
        "from",
        "--address=gantry-test/busybox:latest",
        "with-new-file",
        "--path=/www/index.html",
        "--contents=hello from core",
        "with-exposed-port",
        "--port=8080",
        "with-default-args",
        "--args=httpd,-f,-p,8080,-h,/www",
      ],
      "hello from core",
    ],
  ])(
    "serves %s on the host with `up --ports` until Ctrl-C, then removes it",
    async (_, argv, page) => {
      const hostPort = await freePort();
      const child = spawn("node", [BIN, ...argv, "up", `--ports=${hostPort}:8080`], {
        env: { ...process.env, CI: "true" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      let body = "";
      for (let i = 0; i < 150 && body === ""; i++) {
        body = await fetch(`http://127.0.0.1:${hostPort}/`)
          .then((res) => res.text())
          .catch(() => "");
        if (body === "") await new Promise((r) => setTimeout(r, 200));
      }
      expect(body, stderr).toBe(page);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(leftovers(child.pid!)).toBe("");
      const bad = await gantry(["call", "-m", MOD, "web", "up", "--ports=80:http"]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain(
        '--ports expects HOST:SERVICE or PORT with ports 1–65535, like 8080:80, got "80:http"',
      );
    },
  );

  it("exits 1, saying so, when its result cannot be written (the reader of stdout went away)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-cli-lost-"));
    const child = spawn("node", [BIN, "call", "-m", MOD, "count", `--source=${dir}`], {
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy(); // like `gantry call … | true`: nobody reads the result
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(stderr).toContain("Error: the result could not be written to stdout");
    expect(code).toBe(1);
  });

  it("converts a path flag to a Directory and prints a scalar result", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-cli-dir-"));
    for (const f of ["a", "b", "c"])
      await import("node:fs/promises").then((fs) => fs.writeFile(path.join(dir, f), f));
    const r = await gantry(["call", "-m", MOD, "count", `--source=${dir}`]);
    expect(r.stderr).not.toContain("Error");
    expect(r.stdout.trim()).toBe("3");
  });

  it("takes a relative GANTRY_STATE_DIR from the working directory (host runtime, an exec over an overlay)", async () => {
    // 70 files: over the host runtime's overlay threshold, whose mount sources must be absolute paths
    const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-cli-rel-"));
    const fs = await import("node:fs/promises");
    for (let i = 0; i < 70; i++) await fs.writeFile(path.join(dir, `f${i}`), `${i}`);
    const cwd = await mkdtemp(path.join(os.tmpdir(), "gantry-cli-cwd-"));
    const r = await gantry(
      ["call", "-m", MOD, "--runtime=host", "count", `--source=${dir}`],
      { GANTRY_STATE_DIR: "relative-state" },
      cwd,
    );
    expect(r.stderr).not.toContain("Error");
    expect(r.stdout.trim()).toBe("70");
    expect((await readdir(path.join(cwd, "relative-state"))).sort()).toContain("store");
  });

  it("chains calls on a returned container: file contents and export", async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), "gantry-cli-out-"));
    const r = await gantry([
      "call",
      "-m",
      MOD,
      "hello",
      "--greeting=hi",
      "file",
      "--path=/out/greeting",
      "contents",
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("hi");
    const e = await gantry(
      ["call", "-m", MOD, "hello", "directory", "--path=/out", "export", "--path=./exported"],
      {},
      out,
    );
    expect(e.status).toBe(0);
    expect(await readFile(path.join(out, "exported/greeting"), "utf8")).toBe("hello\n");
  });

  it("chains Dagger's container words from the command line: a host folder, a new file, a secret, publish", async () => {
    const src = await mkdtemp(path.join(os.tmpdir(), "gantry-cli-src-"));
    writeFileSync(path.join(src, "a.txt"), "from the host\n");
    const token = `tok-${Math.random().toString(36).slice(2)}`;
    const r = await gantry(
      [
        "call",
        "-m",
        MOD,
        "hello",
        "with-directory",
        "--path=/in",
        `--directory=${src}`,
        "with-new-file",
        "--path=/n.txt",
        "--contents=new",
        "with-secret-variable",
        "--name=TOKEN",
        "--secret=env:ITEST_CHAIN_TOKEN",
        "with-exec",
        "--args=sh",
        "--args=-c",
        '--args=cat /in/a.txt /n.txt; echo; echo "len=${#TOKEN}"',
        "stdout",
      ],
      { ITEST_CHAIN_TOKEN: token },
    );
    expect(r.stderr).not.toContain(token);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`from the host\nnew\nlen=${token.length}\n`);
    // publish goes to the local registry and prints the pushed reference with its digest
    const tag = `t${Math.random().toString(36).slice(2, 10)}`;
    const p = await gantry([
      "call",
      "-m",
      MOD,
      "hello",
      "publish",
      `--address=127.0.0.1:5000/gantry-cli-chain:${tag}`,
    ]);
    expect(p.stderr).not.toContain("Error");
    expect(p.status).toBe(0);
    const digest = /127\.0\.0\.1:5000\/gantry-cli-chain:\w+@(sha256:[0-9a-f]{64})/.exec(
      p.stdout,
    )?.[1];
    expect(digest).toBeDefined();
    const res = await fetch(`http://127.0.0.1:5000/v2/gantry-cli-chain/manifests/${tag}`, {
      headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("docker-content-digest")).toBe(digest);
  });

  it("takes a git address for a Directory flag: URL#REF:SUBDIR, read with the host's git", async () => {
    const repo = await mkdtemp(path.join(os.tmpdir(), "gantry-cli-repo-"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo });
    git("init", "--quiet", "--initial-branch=main");
    mkdirSync(path.join(repo, "sub"));
    for (const f of ["a", "sub/b", "sub/c"]) writeFileSync(path.join(repo, f), f);
    git("add", ".");
    git("commit", "--quiet", "-m", "three files");
    git("tag", "v1");
    writeFileSync(path.join(repo, "sub/d"), "d");
    git("add", ".");
    git("commit", "--quiet", "-m", "a fourth");
    const count = async (source: string) => {
      const r = await gantry(["call", "-m", MOD, "count", `--source=${source}`]);
      expect(r.stderr).not.toMatch(/^Error/m);
      return r.stdout.trim();
    };
    expect(await count(`file://${repo}`)).toBe("4");
    expect(await count(`file://${repo}#v1`)).toBe("3");
    expect(await count(`file://${repo}#main:sub`)).toBe("3");
    const bad = await gantry(["call", "-m", MOD, "count", `--source=file://${repo}#nope`]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("nope");
  });

  it("reports an error a function throws itself as the pipeline failing, not as a Gantry bug", async () => {
    const r = await gantry(["call", "-m", MOD, "oops"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("function oops failed: release notes are missing");
    expect(r.stderr).not.toContain("bug in Gantry");
  });

  it("rejects an unknown function and an unknown flag, listing what exists", async () => {
    const f = await gantry(["call", "-m", MOD, "nope"]);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain("nope");
    expect(f.stderr).toContain("slow");
    const g = await gantry(["call", "-m", MOD, "hello", "--greting=x"]);
    expect(g.status).toBe(2);
    expect(g.stderr).toContain("--greting");
    expect(g.stderr).toContain("--greeting");
  });

  it("says clearly when Docker is not reachable and --runtime=docker is asked", async () => {
    const r = await gantry(["call", "-m", MOD, "hello", "--runtime=docker"], {
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("/nonexistent/docker.sock");
    expect(r.stderr).toMatch(/--runtime=host/);
  });

  it("falls back to the host runtime with auto, saying so", async () => {
    const r = await gantry(["call", "-m", MOD, "hello", "--greeting=hostly", "stdout"], {
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(r.stderr).toContain("runtime: host");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("hostly");
  });
});
