// Where is the Docker engine? A chain of strategies, each answering undefined when it does not apply.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { GantryEnv } from "../../../env.js";
import { UnsupportedError, UsageError } from "../../../errors.js";

export type DockerEndpoint =
  | { kind: "unix"; socketPath: string; source: string }
  | { kind: "tcp"; host: string; port: number; source: string };

export type DiscoveryStrategy = (env: GantryEnv) => Promise<DockerEndpoint | undefined>;

export const DEFAULT_SOCKET = "/var/run/docker.sock";

// DOCKER_HOST wins whenever it is set, reachable or not: a user who set it meant that engine.
export const fromDockerHost: DiscoveryStrategy = async (env) => {
  const value = env.dockerHost;
  if (!value) return undefined;
  if (value.startsWith("unix://")) {
    return { kind: "unix", socketPath: value.slice("unix://".length), source: "DOCKER_HOST" };
  }
  if (value.startsWith("tcp://")) return tcpEndpoint(value);
  if (/^[a-z]+:\/\//.test(value)) {
    throw new UnsupportedError(
      `DOCKER_HOST=${value} uses a transport Gantry does not speak yet: ` +
        `forward the engine to a unix socket or tcp:// address (e.g. ssh -L) and point DOCKER_HOST at it`,
    );
  }
  throw new UsageError(
    `DOCKER_HOST=${value} is not an engine address: use unix:///path/to/docker.sock or tcp://host:2375`,
  );
};

// The rootful Linux default.
export const defaultSocket: DiscoveryStrategy = async () =>
  socketIfPresent(DEFAULT_SOCKET, "default");

// Docker Desktop (macOS, Linux) puts a per-user socket here.
export const desktopSocket: DiscoveryStrategy = async (env) =>
  socketIfPresent(path.join(env.home, ".docker", "run", "docker.sock"), "Docker Desktop");

// Rootless Docker, then Podman's Docker-compatible socket, both under XDG_RUNTIME_DIR.
export const rootlessSocket: DiscoveryStrategy = async (env) => {
  if (!env.xdgRuntimeDir) return undefined;
  return (
    (await socketIfPresent(path.join(env.xdgRuntimeDir, "docker.sock"), "rootless Docker")) ??
    (await socketIfPresent(path.join(env.xdgRuntimeDir, "podman", "podman.sock"), "Podman"))
  );
};

export const DEFAULT_STRATEGIES: readonly DiscoveryStrategy[] = [
  fromDockerHost,
  defaultSocket,
  desktopSocket,
  rootlessSocket,
];

// Ask each strategy in turn; the first that applies names the engine.
export async function discoverDockerEndpoint(
  env: GantryEnv,
  strategies: readonly DiscoveryStrategy[] = DEFAULT_STRATEGIES,
): Promise<DockerEndpoint | undefined> {
  for (const strategy of strategies) {
    const endpoint = await strategy(env);
    if (endpoint) return endpoint;
  }
  return undefined;
}

// An endpoint as a person would write it in DOCKER_HOST, for messages.
export function describeEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === "unix" ? endpoint.socketPath : `tcp://${endpoint.host}:${endpoint.port}`;
}

// A socket file that exists; whether an engine listens on it is for the ping to say.
async function socketIfPresent(socketPath: string, source: string) {
  try {
    const info = await stat(socketPath);
    return info.isSocket() ? ({ kind: "unix", socketPath, source } as const) : undefined;
  } catch {
    return undefined;
  }
}

// tcp://host[:port]; 2375 is the engine's plain-HTTP port.
function tcpEndpoint(value: string): DockerEndpoint {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new UsageError(
      `DOCKER_HOST=${value} is not a valid tcp:// address: use tcp://host:2375`,
      {
        cause,
      },
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { kind: "tcp", host, port: url.port ? Number(url.port) : 2375, source: "DOCKER_HOST" };
}
