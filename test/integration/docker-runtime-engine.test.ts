// Talking to the engine: connecting, image resolution and pull failures, the reaper.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv } from "../../src/env.js";
import { ImageError, UsageError } from "../../src/errors.js";
import { connectDocker } from "../../src/runtime/docker/connection/connect-docker.js";
import { reapStale } from "../../src/runtime/docker/cleanup/reaper.js";
import { resolveImage } from "../../src/runtime/docker/images/image-resolver.js";
import { LABELS } from "../../src/runtime/docker/cleanup/labels.js";

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

// The pure parts (DOCKER_HOST parsing, Podman discovery, the "not reachable" message) are in test/unit/docker-socket-discovery.test.ts.
describe("connect", () => {
  it("connects to the engine the environment names, local exactly when DOCKER_HOST is a socket or loopback", async () => {
    const conn = await connectDocker(readEnv());
    expect(conn.isLocal).toBe(engineIsLocal(process.env.DOCKER_HOST));
    expect(String(await conn.docker.ping())).toBe("OK");
  });
});

// What "local" means for bind mounts, written independently of connect-docker.ts: no DOCKER_HOST, a unix socket, or tcp to loopback.
function engineIsLocal(dockerHost: string | undefined): boolean {
  if (!dockerHost || dockerHost.startsWith("unix://")) return true;
  const host = new URL(dockerHost).hostname.replace(/^\[|\]$/g, "");
  return ["localhost", "127.0.0.1", "::1"].includes(host);
}

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
    expect((err as ImageError).message).toContain(
      `image ${ref} is not on this machine, and pulling it failed`,
    );
    // unreachable registry (this machine) or no such repository (a machine online): either way, what to do
    expect((err as ImageError).hint).toMatch(/docker load/);
  });

  it("calls a malformed reference a usage error naming it, before any pull", async () => {
    const err = await resolveImage(docker, "Not_A_Ref::", never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe('"Not_A_Ref::" is not a valid image reference');
    expect((err as UsageError).hint).toMatch(/NAME\[:TAG\]/);
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
