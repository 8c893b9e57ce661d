// `gantry compose up --detach` leaves the project serving after the command returns; `down` removes every
// container and network it made, also when the background `up` was killed and could not clean up itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { processIsAlive } from "../../src/process-alive.js";
import { projectStateDir } from "../../src/store/project-state-dir.js";
import { BUSYBOX, docker, runCommand } from "../helpers/test-session.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/gantry.js");

const PROJECT = "detachtest";
let dir: string;
let state: string;

const COMPOSE = `
services:
  web:
    image: ${BUSYBOX}
    command: ["sh", "-c", "mkdir -p /www && echo detached-ok > /www/index.html && echo web is starting && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gantry-detach-"));
  state = await mkdtemp(path.join(os.tmpdir(), "gantry-detach-state-"));
  await writeFile(path.join(dir, "docker-compose.yml"), COMPOSE);
});

afterAll(async () => {
  await gantry(["compose", "down"]);
  await rm(dir, { recursive: true, force: true });
  await rm(state, { recursive: true, force: true });
});

function gantry(args: string[]) {
  return runCommand("node", [BIN, args[0] as string, "-p", PROJECT, ...args.slice(1)], {
    cwd: dir,
    env: { GANTRY_STATE_DIR: state },
    timeoutMs: 120_000,
  });
}

// The background up's files are in the state dir, never in the project (dir stays as the user left it).
const composeState = (): string => path.join(projectStateDir(state, dir), "compose");
const pidFile = (): string => path.join(composeState(), `${PROJECT}.pid`);

function containersOf(pid: string): string[] {
  return docker(["ps", "-aq", "--filter", `label=gantry.pid=${pid}`])
    .split("\n")
    .filter(Boolean);
}

function networksOf(pid: string): string[] {
  return docker(["network", "ls", "-q", "--filter", `label=gantry.pid=${pid}`])
    .split("\n")
    .filter(Boolean);
}

// A killed process may linger as a zombie until its new parent reaps it; that counts as gone.
const isAlive = (pid: number): boolean => processIsAlive(pid);

/** The host port the background `up` published for web:8080, read from its log. */
async function publishedPort(): Promise<number> {
  const log = await readFile(path.join(composeState(), `${PROJECT}.log`), "utf8");
  const m = /web: up \(127\.0\.0\.1:(\d+)→8080/.exec(log);
  if (!m) throw new Error(`no published port for web in the log:\n${log}`);
  return Number(m[1]);
}

describe("compose up --detach / down", () => {
  it("keeps serving after up returns, and down removes everything", async () => {
    const up = await gantry(["compose", "up", "--detach"]);
    expect(up.out).toContain("is up in the background");
    expect(up.status).toBe(0);
    const pid = (await readFile(pidFile(), "utf8")).trim();
    // Still serving a few seconds after `up` returned: the background process did not exit on its own.
    await new Promise((r) => setTimeout(r, 3000));
    expect(isAlive(Number(pid))).toBe(true);
    expect(containersOf(pid)).toHaveLength(1);
    // the container says which project and service it belongs to
    const [id] = containersOf(pid);
    const labels = JSON.parse(
      docker(["inspect", "--format", "{{json .Config.Labels}}", id!]),
    ) as Record<string, string>;
    expect(labels).toMatchObject({
      "gantry.compose.project": PROJECT,
      "gantry.compose.service": "web",
      "gantry.compose.dir": dir,
    });
    const res = await fetch(`http://127.0.0.1:${await publishedPort()}/`);
    expect(await res.text()).toBe("detached-ok\n");

    const again = await gantry(["compose", "up", "--detach"]);
    expect(again.status).not.toBe(0);
    expect(again.out).toContain("already up in the background");

    const down = await gantry(["compose", "down"]);
    expect(down.out).toContain("stopped and removed");
    expect(down.status).toBe(0);
    expect(isAlive(Number(pid))).toBe(false);
    expect(containersOf(pid)).toEqual([]);
    expect(networksOf(pid)).toEqual([]);
    const log = await readFile(path.join(composeState(), `${PROJECT}.log`), "utf8");
    expect(log).toContain("Terminated (SIGTERM): stopping the run");
    // the service's own output is printed, prefixed with its name, as docker compose does
    expect(log).toMatch(/^web \| web is starting$/m);
  });

  it("down also stops a foreground up running in another terminal, which cleans up as on Ctrl-C", async () => {
    const child = spawn("node", [BIN, "compose", "-p", PROJECT, "up"], {
      cwd: dir,
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    for (let i = 0; i < 300 && !out.includes("is up; Ctrl-C stops"); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain("is up; Ctrl-C stops");
    expect(containersOf(String(child.pid))).toHaveLength(1);

    const down = await gantry(["compose", "down"]);
    expect(down.out).toContain(`stopped 1 gantry compose process (pid ${child.pid})`);
    expect(down.status).toBe(0);
    expect(await exited).toBe(143); // down sends SIGTERM: 128 + 15, as a shell reports it
    expect(out).toContain("Terminated (SIGTERM): stopping the run");
    expect(containersOf(String(child.pid))).toEqual([]);
    expect(networksOf(String(child.pid))).toEqual([]);
  });

  it("needs Docker: says so instead of falling back to the host runtime", async () => {
    const noEngine = await runCommand("node", [BIN, "compose", "run", "web"], {
      cwd: dir,
      env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" },
    });
    expect(noEngine.status).toBe(1);
    expect(noEngine.stderr).toContain("Docker engine not reachable at /nonexistent/docker.sock");
    const host = await runCommand("node", [BIN, "compose", "up", "--runtime=host"], { cwd: dir });
    expect(host.status).toBe(2);
    expect(host.stderr).toContain(
      "gantry compose runs services in containers: it needs the docker runtime",
    );
  });

  it("down removes what a killed background up left behind", async () => {
    const up = await gantry(["compose", "up", "-d"]);
    expect(up.status).toBe(0);
    const pid = (await readFile(pidFile(), "utf8")).trim();
    expect(containersOf(pid)).toHaveLength(1);
    process.kill(Number(pid), "SIGKILL");
    for (let i = 0; i < 50 && isAlive(Number(pid)); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(containersOf(pid)).toHaveLength(1); // nobody cleaned up yet

    const down = await gantry(["compose", "down"]);
    expect(down.status).toBe(0);
    expect(down.out).toContain("removed 1 container that exited runs left");
    expect(containersOf(pid)).toEqual([]);
    expect(networksOf(pid)).toEqual([]);

    // killed again, then up again at once: the new up is not refused and the old one's container goes
    const up2 = await gantry(["compose", "up", "-d"]);
    expect(up2.status).toBe(0);
    const pid2 = (await readFile(pidFile(), "utf8")).trim();
    process.kill(Number(pid2), "SIGKILL");
    const up3 = await gantry(["compose", "up", "-d"]);
    expect(up3.out).toContain("is up in the background");
    expect(up3.status).toBe(0);
    expect(containersOf(pid2)).toEqual([]);
    const pid3 = (await readFile(pidFile(), "utf8")).trim();
    expect(containersOf(pid3)).toHaveLength(1);
    expect((await gantry(["compose", "down"])).out).toContain("stopped and removed");
    expect(containersOf(pid3)).toEqual([]);

    const idle = await gantry(["compose", "down"]);
    expect(idle.out).toContain("is not running");
    expect(idle.status).toBe(0);
  });
});
