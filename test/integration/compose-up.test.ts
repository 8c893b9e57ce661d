// `gantry compose up` against the real engine, as docker compose behaves: a one-shot service that exits reports its
// exit and the others keep running; a service that must be healthy and dies, an unhealthy one and a taken host port
// each fail with a message that names the service once and a hint that fits; published ports print as bound.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { projectStateDir } from "../../src/store/project-state-dir.js";
import { processIsAlive } from "../../src/process-alive.js";
import { BUSYBOX, closeServer, docker, freePort, runCommand } from "../helpers/test-session.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/gantry.js");
let dir: string;
let state: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gantry-compose-up-"));
  state = await mkdtemp(path.join(os.tmpdir(), "gantry-compose-up-state-"));
});

afterAll(async () => {
  await gantry("oneshot.yml", "uponeshot", ["down"]);
  await rm(dir, { recursive: true, force: true });
  await rm(state, { recursive: true, force: true });
});

// `gantry compose -f FILE -p PROJECT ...args`, FILE written first when `text` is given.
async function gantry(file: string, project: string, args: string[], text?: string) {
  if (text !== undefined) await writeFile(path.join(dir, file), text);
  return runCommand("node", [BIN, "compose", "-f", file, "-p", project, ...args], {
    cwd: dir,
    env: { GANTRY_STATE_DIR: state },
    timeoutMs: 120_000,
  });
}

const service = (name: string, command: string, more = ""): string =>
  `  ${name}:\n    image: ${BUSYBOX}\n    command: ["sh", "-c", ${JSON.stringify(command)}]\n${more}`;

describe("compose up", () => {
  it("a one-shot service that exits is reported, and the others keep running", async () => {
    const port = await freePort();
    const up = await gantry(
      "oneshot.yml",
      "uponeshot",
      ["up", "-d"],
      "services:\n" +
        service("web", "echo web up; sleep 3600", `    ports: ["${port}:80"]\n`) +
        service("crash", "echo crashing; exit 4"),
    );
    expect(up.out).toContain("is up in the background");
    expect(up.status).toBe(0);
    const log = path.join(projectStateDir(state, dir), "compose", "uponeshot.log");
    let text = "";
    for (let i = 0; i < 100 && !text.includes("crash exited with code 4"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await readFile(log, "utf8");
    }
    expect(text).toMatch(/^crash \| crashing$/m);
    expect(text).toContain("crash exited with code 4");
    // what is really bound (all interfaces, as `docker ps` shows it), not the loopback Gantry dials
    expect(text).toContain(`web: up (0.0.0.0:${port}→80/tcp)`);
    const web = docker([
      "ps",
      "-q",
      "--filter",
      "label=gantry.compose.project=uponeshot",
      "--filter",
      "label=gantry.compose.service=web",
      "--filter",
      "status=running",
    ]).trim();
    expect(web).not.toBe("");
    expect(docker(["port", web, "80/tcp"])).toContain(`0.0.0.0:${port}`);
    const down = await gantry("oneshot.yml", "uponeshot", ["down"]);
    expect(down.status).toBe(0);
  });

  it("a service that must be healthy still fails its dependents when it dies", async () => {
    const up = await gantry(
      "healthy.yml",
      "uphealthy",
      ["up"],
      "services:\n" +
        service(
          "db",
          "echo db dying; exit 3",
          '    healthcheck:\n      test: ["CMD", "true"]\n      interval: 1s\n',
        ) +
        service(
          "api",
          "echo api; sleep 3600",
          "    depends_on:\n      db:\n        condition: service_healthy\n",
        ),
    );
    expect(up.status).toBe(1);
    expect(up.stderr).toContain(
      "Error: service db exited with code 3 before it was ready\n--- last lines of service db ---\ndb dying\n",
    );
    expect(up.out).not.toContain("▶ service api");
  });

  it("an unhealthy service: the message names it once and shows the check's own output; the hint is about the check", async () => {
    const up = await gantry(
      "unhealthy.yml",
      "upunhealthy",
      ["up"],
      "services:\n" +
        service(
          "db",
          "echo db starting; sleep 3600",
          '    healthcheck:\n      test: ["CMD-SHELL", "echo checking db; false"]\n      interval: 1s\n      retries: 2\n',
        ),
    );
    expect(up.status).toBe(1);
    expect(up.stderr).toContain(
      "Error: service db is unhealthy: its health check failed\n--- last lines of service db ---\ndb starting\n--- last health check (exit code 1) ---\nchecking db\n",
    );
    expect(up.stderr).not.toContain("service service");
    expect(up.stderr).not.toMatch(/Hint: .*(GANTRY_SERVICE_TIMEOUT|exposed ports)/);
  });

  it("a published port another program holds: the hint names the port", async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, "0.0.0.0", () => r()));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const up = await gantry(
        "taken.yml",
        "uptaken",
        ["up"],
        "services:\n" + service("web", "sleep 3600", `    ports: ["${port}:80"]\n`),
      );
      expect(up.status).toBe(1);
      expect(up.stderr).toContain("Error: service web could not start: ");
      expect(up.stderr).toContain(`Hint: host port ${port} is already in use`);
      expect(up.stderr).not.toContain("exists in the image");
    } finally {
      await closeServer(holder);
    }
  });

  it("Ctrl-C on up -d while it waits stops the background up, which removes its containers", async () => {
    // never healthy within the test: up -d waits until interrupted
    await writeFile(
      path.join(dir, "slow.yml"),
      "services:\n" +
        service(
          "slow",
          "echo slow; sleep 3600",
          '    healthcheck:\n      test: ["CMD", "false"]\n      interval: 1s\n      retries: 1000\n',
        ),
    );
    const parent = spawn("node", [BIN, "compose", "-f", "slow.yml", "-p", "upslow", "up", "-d"], {
      cwd: dir,
      env: { ...process.env, CI: "true", GANTRY_STATE_DIR: state },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    parent.stdout.on("data", (d: Buffer) => (out += d.toString()));
    parent.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => parent.on("exit", (code) => r(code)));
    const containers = (): string[] =>
      docker(["ps", "-aq", "--filter", "label=gantry.compose.project=upslow"])
        .split("\n")
        .filter(Boolean);
    for (let i = 0; i < 300 && containers().length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(containers()).toHaveLength(1);
    const pidFile = path.join(projectStateDir(state, dir), "compose", "upslow.pid");
    const background = Number(await readFile(pidFile, "utf8"));
    parent.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(out).toContain("Interrupted: stopping the run");
    expect(processIsAlive(background)).toBe(false);
    expect(containers()).toEqual([]);
  });
});
