// DockerServices against the real engine: a PostgreSQL a consumer reaches by alias, exits, health, stop, abort, cleanup.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import net from "node:net";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultExecSpec, useDockerRuntimeFixture } from "../helpers/docker-runtime-fixture.js";
import { CancelledError, ServiceError, UnsupportedError } from "../../src/errors.js";
import type { DockerRuntime } from "../../src/runtime/docker/docker-runtime.js";
import type { DockerServices } from "../../src/runtime/docker/services/docker-services.js";
import type {
  ExecSpec,
  ResolvedImage,
  RunningService,
  ServiceSpec,
  ServiceState,
} from "../../src/runtime/runtime.js";

const run = promisify(execFile);
const BUSYBOX = "gantry-test/busybox:latest";
const POSTGRES = "gantry-test/postgres:15";
const never = new AbortController().signal;

const fx = useDockerRuntimeFixture("it-svc");
let busybox: ResolvedImage;
let postgres: ResolvedImage;

beforeAll(async () => {
  const rt = fx.newRuntime();
  busybox = await rt.resolveImage(BUSYBOX, never);
  postgres = await rt.resolveImage(POSTGRES, never);
});

const { newRuntime, runIdOf } = fx;

// The runtime's own services, through its public field (never rebuilt from private ones).
function servicesOf(rt: DockerRuntime): DockerServices {
  return rt.services;
}

// A busybox service with everything defaulted.
function busyboxService(args: string[], more: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    ...defaultExecSpec(busybox, args, `service ${args.join(" ")}`),
    ports: [],
    aliases: [],
    ...more,
  };
}

// Poll until `test` holds, or fail after `ms` saying what was awaited.
async function until<T>(
  what: string,
  read: () => Promise<T>,
  test: (v: T) => boolean,
  ms = 60_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Whether a TCP connection to host:port opens.
function dial(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

// Where this test process reaches a service port: its IP on a local Linux engine, else the published port.
function addressOf(svc: RunningService, port: number): { host: string; port: number } {
  if (svc.ipReachable) return { host: svc.ip, port };
  const published = svc.hostPorts[`${port}/tcp`];
  if (!published) throw new Error(`port ${port} was not published`);
  return published;
}

async function containerExists(id: string): Promise<boolean> {
  return run("docker", ["inspect", id]).then(
    () => true,
    () => false,
  );
}

async function leftovers(runId: string): Promise<string> {
  const ps = await run("docker", ["ps", "-a", "-q", "--filter", `label=gantry.run=${runId}`]);
  const nets = await run("docker", [
    "network",
    "ls",
    "-q",
    "--filter",
    `label=gantry.run=${runId}`,
  ]);
  return (ps.stdout + nets.stdout).trim();
}

describe("DockerServices", () => {
  it("runs PostgreSQL that a consumer exec reaches by alias on the run network", async () => {
    const rt = newRuntime();
    const services = servicesOf(rt);
    const network = await services.network(never);
    expect(network).toBe(`gantry-${runIdOf(rt)}`);
    expect(await services.network(never)).toBe(network);
    const password = `pw-${randomBytes(6).toString("hex")}`;
    const pg = await services.startService({
      step: "service postgres",
      digest: "sha256:" + randomBytes(32).toString("hex"),
      base: postgres.id,
      ops: [],
      args: [...postgres.config.entrypoint, ...postgres.config.cmd],
      env: postgres.config.env,
      secretEnv: { POSTGRES_PASSWORD: password },
      workdir: postgres.config.workdir,
      user: postgres.config.user,
      mounts: [],
      signal: never,
      ports: ["5432/tcp"],
      aliases: ["db"],
    });
    expect(pg.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(pg.hostPorts["5432/tcp"]?.host).toBe("127.0.0.1");
    expect(pg.hostPorts["5432/tcp"]?.port).toBeGreaterThan(0);
    expect(pg.ipReachable).toBe(process.platform === "linux");
    const { host, port } = addressOf(pg, 5432);
    await until(
      `postgres on ${host}:${port}`,
      () => dial(host, port),
      (ok) => ok,
    );

    const consumer: ExecSpec = {
      step: "psql select 1",
      digest: "sha256:" + randomBytes(32).toString("hex"),
      base: postgres.id,
      ops: [],
      args: ["psql", "-h", "postgres", "-U", "postgres", "-tAc", "select 1"],
      env: postgres.config.env,
      secretEnv: { PGPASSWORD: password },
      workdir: "/",
      user: "",
      mounts: [],
      network,
      services: [{ alias: "postgres", target: pg.ip }],
      signal: never,
    };
    // The port opens a moment before the server takes queries: retry a few times.
    const outcome = await until(
      "a successful psql",
      () => rt.exec({ ...consumer, digest: "sha256:" + randomBytes(32).toString("hex") }),
      (o) => o.exitCode === 0,
      30_000,
    );
    expect(outcome.stdout.trim()).toBe("1");

    const logs = await services.serviceLogs(pg.id, 200);
    expect(logs).toContain("database system is ready to accept connections");
    expect(logs).not.toContain(password);
    expect(await services.serviceState(pg.id)).toEqual({ running: true });
    await services.stopService(pg.id, true);
    expect(await containerExists(pg.id)).toBe(false);
  });

  it("reports a service that exits: not running, its exit code and its last lines", async () => {
    const services = servicesOf(newRuntime());
    const svc = await services.startService(
      // stdout and stderr reach the engine through separate pipes: the pause keeps their lines in the order written
      busyboxService(["sh", "-c", "echo one; echo two; sleep 0.3; echo oops >&2; exit 3"]),
    );
    expect(await services.waitService(svc.id, never)).toBe(3);
    expect(await services.serviceState(svc.id)).toEqual<ServiceState>({
      running: false,
      exitCode: 3,
    });
    const logs = await services.serviceLogs(svc.id, 10);
    expect(logs).toContain("one\ntwo\n");
    expect(logs).toContain("oops\n");
    expect(await services.serviceLogs(svc.id, 1)).toMatch(/^(two|oops)\n$/);
    await services.stopService(svc.id, false);
    expect(await containerExists(svc.id)).toBe(false);
  });

  it("reaches healthy through a health command that reads mounted files, file ops and bindings", async () => {
    const services = servicesOf(newRuntime());
    const first = await services.startService(busyboxService(["sleep", "300"]));
    const digest = await fx.store.putBytes("hi\n");
    const svc = await services.startService(
      busyboxService(["sleep", "300"], {
        ops: [
          {
            op: "putFile",
            path: "/app/hello.txt",
            entry: { type: "file", mode: 0o644, digest, size: 3 },
          },
        ],
        mounts: [{ kind: "secret", target: "/run/secrets/tok", value: "s3cret", mode: 0o400 }],
        services: [{ alias: "upstream", target: first.ip }],
        healthcheck: {
          test: [
            "CMD-SHELL",
            "grep -q s3cret /run/secrets/tok && test -f /app/hello.txt && grep -q upstream /etc/hosts",
          ],
          intervalMs: 100,
          timeoutMs: 2_000,
          startPeriodMs: 0,
          retries: 3,
        },
      }),
    );
    const state = await until(
      "healthy",
      () => services.serviceState(svc.id),
      (s) => s.health !== "starting",
      30_000,
    );
    expect(state).toEqual({ running: true, health: "healthy" });
    const hosts = await run("docker", ["exec", svc.id, "cat", "/etc/hosts"]);
    expect(hosts.stdout).toContain(`${first.ip}\tupstream`);
    const secretFile = (await fx.docker.getContainer(svc.id).inspect()).Mounts.find(
      (m) => m.Destination === "/run/secrets/tok",
    )?.Source;
    expect(secretFile && existsSync(secretFile)).toBe(true);
    await services.stopService(svc.id, true);
    await services.stopService(first.id, true);
    expect(await containerExists(svc.id)).toBe(false);
    expect(existsSync(secretFile ?? "")).toBe(false);
  });

  it("unsets the image's variables the pipeline removed, and gives secret variables to the process", async () => {
    const services = servicesOf(newRuntime());
    const svc = await services.startService(
      busyboxService(["sh", "-c", 'echo "LANG=${LANG-unset} TOKEN=${TOKEN}"'], {
        base: postgres.id,
        env: postgres.config.env.filter((e) => !e.startsWith("LANG=")),
        secretEnv: { TOKEN: "tok-value" },
      }),
    );
    expect(await services.waitService(svc.id, never)).toBe(0);
    expect(await services.serviceLogs(svc.id, 5)).toBe("LANG=unset TOKEN=tok-value\n");
    await services.stopService(svc.id, true);
  });

  it("stops gracefully with SIGTERM, and stopping again is fine", async () => {
    const services = servicesOf(newRuntime());
    const svc = await services.startService(
      busyboxService([
        "sh",
        "-c",
        "trap 'exit 0' TERM; echo trapped; while true; do sleep 0.1; done",
      ]),
    );
    // PID 1 ignores SIGTERM until its trap is set: stop only once the shell says it is (a busy machine was slower)
    const t0 = Date.now();
    while (!(await services.serviceLogs(svc.id, 5)).includes("trapped") && Date.now() - t0 < 20_000)
      await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await services.stopService(svc.id, false);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(await containerExists(svc.id)).toBe(false);
    await services.stopService(svc.id, false);
    await services.stopService(svc.id, true);
  });

  it("publishes fixed ports on the host, and random ones on loopback", async () => {
    const services = servicesOf(newRuntime());
    const free = await freePort();
    const svc = await services.startService(
      busyboxService(["sleep", "300"], {
        ports: ["8080/tcp", "9090"],
        publish: [{ backend: 8080, frontend: free, protocol: "tcp" }],
      }),
    );
    expect(svc.hostPorts["8080/tcp"]).toEqual({ host: "127.0.0.1", port: free });
    expect(svc.hostPorts["9090/tcp"]?.host).toBe("127.0.0.1");
    const bound = await run("docker", ["port", svc.id, "8080/tcp"]);
    expect(bound.stdout).toContain(`0.0.0.0:${free}`);
    await services.stopService(svc.id, true);
  });

  it("removes the container when the run is aborted, and ends waits with CancelledError", async () => {
    const services = servicesOf(newRuntime());
    const controller = new AbortController();
    const svc = await services.startService(
      busyboxService(["sleep", "300"], { signal: controller.signal }),
    );
    const waiting = services.waitService(svc.id, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    await until(
      "removal",
      () => containerExists(svc.id),
      (exists) => !exists,
      15_000,
    );
    await expect(
      services.startService(busyboxService(["sleep", "300"], { signal: controller.signal })),
    ).rejects.toBeInstanceOf(CancelledError);
  });

  it("fails clearly when the command does not exist, leaving nothing behind", async () => {
    const rt = newRuntime();
    const services = servicesOf(rt);
    const failed = services.startService(busyboxService(["no-such-command-here"]));
    await expect(failed).rejects.toBeInstanceOf(ServiceError);
    await expect(failed).rejects.toThrow(/could not start: .*no-such-command-here/);
    const ps = await run("docker", ["ps", "-aq", "--filter", `label=gantry.run=${runIdOf(rt)}`]);
    expect(ps.stdout.trim()).toBe("");
  });

  it("keeps compose named volumes across services, and refuses bind mounts on a remote engine", async () => {
    const services = servicesOf(newRuntime());
    const volume = `gantry-it-vol-${randomBytes(5).toString("hex")}`;
    fx.removeVolumeAfter(volume);
    const volumes = [{ type: "volume" as const, source: volume, target: "/data", readOnly: false }];
    const writer = await services.startService(
      busyboxService(["sh", "-c", "echo kept > /data/f"], { volumes }),
    );
    expect(await services.waitService(writer.id, never)).toBe(0);
    await services.stopService(writer.id, true);
    const reader = await services.startService(busyboxService(["cat", "/data/f"], { volumes }));
    expect(await services.waitService(reader.id, never)).toBe(0);
    expect(await services.serviceLogs(reader.id, 5)).toBe("kept\n");
    await services.stopService(reader.id, true);

    const remote = servicesOf(newRuntime({ isLocalEngine: false }));
    const bind = [{ type: "bind" as const, source: fx.stateDir, target: "/host", readOnly: true }];
    await expect(
      remote.startService(busyboxService(["true"], { volumes: bind })),
    ).rejects.toBeInstanceOf(UnsupportedError);
  });

  it("leaves no container or network of the run after close()", async () => {
    const rt = newRuntime();
    const services = servicesOf(rt);
    await services.startService(busyboxService(["sleep", "300"]));
    expect(await leftovers(runIdOf(rt))).not.toBe("");
    await rt.close();
    expect(await leftovers(runIdOf(rt))).toBe("");
  });

  it("leaves nothing when Ctrl-C comes while a service is still being created", async () => {
    // Interrupted at several moments of the start: creating the network, the container, starting it.
    for (const delayMs of [0, 10, 30, 60, 100, 150, 250]) {
      const rt = newRuntime();
      const ctl = new AbortController();
      // its rejection (cancelled) is expected, and may come while close() runs: observed from the start
      const starting = servicesOf(rt)
        .startService(busyboxService(["sleep", "300"], { signal: ctl.signal }))
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, delayMs));
      ctl.abort(); // what Ctrl-C does first; closing the run follows at once
      await rt.close();
      await starting;
      expect(await leftovers(runIdOf(rt)), `interrupted after ${delayMs} ms`).toBe("");
    }
  });
});

// A TCP port nobody listens on right now.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
