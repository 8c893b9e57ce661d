// `dev up` / `dev start` / `dev stop` / `dev shell` on examples/bun-cli: the server keeps running after the CLI
// returns, reachable on its published port; an edit on the host reaches it (the source is mounted, bun --watch
// restarts); stop removes exactly the containers and network it started; `dev shell` opens a shell on a real
// pseudo-terminal (tmux) in the project's container.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { copyExample } from "../helpers/example-project.mjs";
import { hasTmux, startTmux } from "../helpers/tmux-session.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/gantry.js");
const tmp = tempDir("gantry-ex-bun-dev-");
let project: string;
let stateDir: string;

beforeAll(() => {
  ({ project, stateDir } = copyExample("bun-cli", tmp.dir));
});
afterAll(async () => {
  await gantry(["call", "dev", "stop"]).catch(() => undefined);
  tmp.cleanup();
});

const gantry = (args: string[]) =>
  runGantry(["--progress=plain", ...args], {
    cwd: project,
    stateDir,
    env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "" },
  });

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();

// Ask until the answer satisfies `ok` (a server restarting refuses for a moment); the last answer on failure.
async function poll(
  url: string,
  init: RequestInit,
  ok: (body: string) => boolean,
): Promise<string> {
  let last = "";
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    try {
      const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
      last = await r.text();
      if (ok(last)) return last;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} never answered as expected; last answer: ${last}`);
}

describe("examples/bun-cli dev environment", () => {
  it("dev up leaves a reachable server that reloads on edits, and dev stop removes what it started", async () => {
    const up = await gantry(["call", "dev", "up", "--host-port=0"]);
    expect(up.stderr).not.toMatch(/^Error/m);
    expect(up.code).toBe(0);
    // the workflow cleaned the caches and set up again before starting
    expect(up.stderr).toMatch(/withExec find \/gantry-clean/);
    const name = /^app: (\S+) running bun run dev in \/app/m.exec(up.stdout)?.[1];
    const url = /3000\/tcp → (http:\/\/[\d.]+:\d+)/.exec(up.stdout)?.[1];
    expect(name).toBeDefined();
    expect(url).toBeDefined();
    // the CLI has returned; the server still answers
    expect(await poll(`${url}/health`, {}, (b) => b === "ok\n")).toBe("ok\n");
    const post = { method: "POST", body: "a b a" };
    expect(await poll(`${url}/stats`, post, (b) => b.includes("top:"))).toBe(
      "lines: 1\nwords: 3\nchars: 5\ntop: a (2), b (1)\n",
    );
    const labels = docker("inspect", "-f", "{{json .Config.Labels}}", name!);
    const id = (JSON.parse(labels) as Record<string, string>)["gantry.dev"];
    expect(id).toMatch(/^[0-9a-f]{12}$/);

    // an edit on the host reaches the running server
    const file = path.join(project, "src/stats.ts");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("top: ${top", "most: ${top"));
    expect(await poll(`${url}/stats`, post, (b) => b.includes("most:"))).toContain("most: a (2)");

    const stop = await gantry(["call", "dev", "stop"]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`stopped and removed: ${name}`);
    expect(docker("ps", "-aq", "--filter", `label=gantry.dev=${id}`)).toBe("");
    expect(docker("network", "ls", "-q", "--filter", `label=gantry.dev=${id}`)).toBe("");
    await expect(fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
    const again = await gantry(["call", "dev", "stop"]);
    expect(again.stdout).toContain("nothing was running");
  });

  it("dev shell opens a shell in the project's container on a real terminal", async () => {
    if (!hasTmux()) throw new Error("tmux is not installed (scripts/ensure-docker.sh installs it)");
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: stateDir,
      TERM: "screen",
      GANTRY_STATE_DIR: stateDir,
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "",
    };
    await using t = startTmux(["node", BIN, "--progress=plain", "call", "dev", "shell"], {
      cwd: project,
      env,
    });
    await t.waitFor("terminal(): opening sh (workdir /app)");
    t.type('echo "in=$(pwd) deps=$(ls node_modules | grep -c typescript) bun=$(bun --version)"');
    await t.waitFor(/in=\/app deps=1 bun=\d+\.\d+\.\d+/);
    t.type("exit");
    const screen = await t.waitFor(/\[exited \d+\]/);
    expect(screen).toContain("shell closed");
    expect(screen).toContain("[exited 0]");
  });
});
