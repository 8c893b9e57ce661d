// Finding and talking to the engine: socket discovery, connect errors, image resolution and pull failures, the reaper.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv, type GantryEnv } from "../../src/env.js";
import {
  ImageError,
  RuntimeUnavailableError,
  UnsupportedError,
  UsageError,
} from "../../src/errors.js";
import { connectDocker } from "../../src/runtime/docker/connection/connect-docker.js";
import { reapStale } from "../../src/runtime/docker/cleanup/reaper.js";
import { resolveImage } from "../../src/runtime/docker/images/image-resolver.js";
import { LABELS } from "../../src/runtime/docker/cleanup/labels.js";
import {
  discoverDockerEndpoint,
  fromDockerHost,
  rootlessSocket,
  type DiscoveryStrategy,
} from "../../src/runtime/docker/connection/socket-discovery.js";

const never = new AbortController().signal;
let docker: Dockerode;
let tmp: string;

beforeAll(async () => {
  docker = (await connectDocker(readEnv())).docker;
  tmp = await mkdtemp(path.join(os.tmpdir(), "gantry-engine-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// An environment with only what a test sets.
function env(more: Partial<GantryEnv>): GantryEnv {
  return { ...readEnv({ HOME: tmp }), ...more };
}

describe("socket discovery and connect", () => {
  it("takes DOCKER_HOST first, unix and tcp, and refuses transports it cannot speak", async () => {
    expect(await fromDockerHost(env({ dockerHost: "unix:///x/d.sock" }))).toMatchObject({
      kind: "unix",
      socketPath: "/x/d.sock",
    });
    expect(await fromDockerHost(env({ dockerHost: "tcp://10.0.0.5" }))).toMatchObject({
      kind: "tcp",
      host: "10.0.0.5",
      port: 2375,
    });
    expect(await fromDockerHost(env({}))).toBeUndefined();
    await expect(fromDockerHost(env({ dockerHost: "ssh://me@box" }))).rejects.toBeInstanceOf(
      UnsupportedError,
    );
    await expect(fromDockerHost(env({ dockerHost: "box:2375" }))).rejects.toBeInstanceOf(
      UsageError,
    );
  });

  it("finds Podman's socket under XDG_RUNTIME_DIR, and skips strategies that do not apply", async () => {
    const podman = path.join(tmp, "podman");
    await mkdir(podman, { recursive: true });
    const server = net.createServer().listen(path.join(podman, "podman.sock"));
    await once(server, "listening");
    try {
      const none: DiscoveryStrategy = async () => undefined;
      const found = await discoverDockerEndpoint(env({ xdgRuntimeDir: tmp }), [
        none,
        rootlessSocket,
      ]);
      expect(found).toMatchObject({
        kind: "unix",
        socketPath: path.join(podman, "podman.sock"),
        source: "Podman",
      });
      expect(await discoverDockerEndpoint(env({}), [none, rootlessSocket])).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it("connects to the engine here, and names the address and the ways out when none answers", async () => {
    const conn = await connectDocker(readEnv());
    expect(conn.isLocal).toBe(true);
    const missing = path.join(tmp, "no-engine.sock");
    const err = await connectDocker(env({ dockerHost: `unix://${missing}` })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RuntimeUnavailableError);
    expect((err as Error).message).toBe(
      `Docker engine not reachable at ${missing}: start Docker, set DOCKER_HOST, or run with --runtime=host`,
    );
    const nowhere = await connectDocker(env({}), []).catch((e: unknown) => e);
    expect((nowhere as Error).message).toMatch(
      /^Docker engine not reachable at \/var\/run\/docker.sock: /,
    );
  });
});

describe("image resolution", () => {
  it("resolves a local image to its id and config", async () => {
    const resolved = await resolveImage(docker, "gantry-test/busybox:latest", never);
    expect(resolved.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(resolved.config.env.some((e) => e.startsWith("PATH="))).toBe(true);
    expect(resolved.config.cmd).toEqual(["sh"]);
  });

  it("gives an ImageError naming the ref when the pull fails (an error line or status, never silence)", async () => {
    const ref = `gantry-test/does-not-exist-${randomBytes(4).toString("hex")}:latest`;
    const err = await resolveImage(docker, ref, never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).message).toContain(`could not pull image ${ref}`);
    expect((err as ImageError).hint).toMatch(/docker login/);
  });
});

describe("reaper", () => {
  it("removes what a dead process of this host left (secret files too), and keeps what a live one holds", async () => {
    const dead = spawn("true");
    await once(dead, "exit");
    const alive = spawn("sleep", ["30"]);
    const tag = randomBytes(4).toString("hex");
    const make = async (pid: number, name: string) => {
      const labels = {
        [LABELS.managed]: "true",
        [LABELS.run]: `reaper-${tag}-${name}`,
        [LABELS.pid]: String(pid),
        [LABELS.host]: os.hostname(),
      };
      const container = await docker.createContainer({
        Image: "gantry-test/busybox:latest",
        Cmd: ["true"],
        Labels: labels,
      });
      await docker.createVolume({
        Name: `gantry-tmp-reaper-${tag}-${name}`,
        Labels: { ...labels, [LABELS.temp]: "true" },
      });
      await docker.createNetwork({ Name: `gantry-reaper-${tag}-${name}`, Labels: labels });
      return container;
    };
    const secretDir = (pid: number) => path.join(tmp, `gantry-secret-${pid}-abc`);
    try {
      await make(dead.pid as number, "dead");
      const kept = await make(alive.pid as number, "alive");
      await mkdir(secretDir(dead.pid as number));
      await mkdir(secretDir(alive.pid as number));
      const removed = await reapStale(docker, { tmpDir: tmp });
      expect(removed.containers).toBeGreaterThanOrEqual(1);
      expect(await readdir(tmp)).not.toContain(path.basename(secretDir(dead.pid as number)));
      expect(await readdir(tmp)).toContain(path.basename(secretDir(alive.pid as number)));
      const left = async (name: string) => {
        const filters = { label: [`${LABELS.run}=reaper-${tag}-${name}`] };
        const c = await docker.listContainers({ all: true, filters });
        const v = (await docker.listVolumes({ filters })).Volumes ?? [];
        const n = await docker.listNetworks({ filters });
        return c.length + v.length + n.length;
      };
      expect(await left("dead")).toBe(0);
      expect(await left("alive")).toBe(3);
      await kept.remove({ force: true });
    } finally {
      alive.kill();
      await docker
        .getVolume(`gantry-tmp-reaper-${tag}-alive`)
        .remove()
        .catch(() => {});
      await docker
        .getNetwork(`gantry-reaper-${tag}-alive`)
        .remove()
        .catch(() => {});
    }
  });
});
