// Finding the engine without one: DOCKER_HOST parsing, Podman's socket, and the message when nothing answers.
import { once } from "node:events";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv, type GantryEnv } from "../../src/env.js";
import { RuntimeUnavailableError, UnsupportedError, UsageError } from "../../src/errors.js";
import { connectDocker } from "../../src/runtime/docker/connection/connect-docker.js";
import {
  discoverDockerEndpoint,
  fromDockerHost,
  rootlessSocket,
  type DiscoveryStrategy,
} from "../../src/runtime/docker/connection/socket-discovery.js";

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "gantry-discovery-"));
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

  it("names the address and the ways out when no engine answers", async () => {
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
