// Open a Docker client and prove the engine answers, so a missing engine fails once, early and clearly.
import "./dockerode-lean.js";
import Dockerode from "dockerode";
import type { GantryEnv } from "../../../env.js";
import { RuntimeUnavailableError } from "../../../errors.js";
import {
  DEFAULT_SOCKET,
  DEFAULT_STRATEGIES,
  describeEndpoint,
  discoverDockerEndpoint,
  type DiscoveryStrategy,
  type DockerEndpoint,
} from "./socket-discovery.js";

const PING_TIMEOUT_MS = 5_000;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1"]);

/** Dockerode's ping takes an abort signal; its type definitions do not say so. */
type PingWithSignal = (opts: { abortSignal: AbortSignal }) => Promise<unknown>;

export interface DockerConnection {
  docker: Dockerode;
  endpoint: DockerEndpoint;
  /** Where the engine is, as a person would write it (a socket path or tcp://host:port). */
  address: string;
  /** True when a bind mount of a host path reaches the engine (unix socket or loopback tcp). */
  isLocal: boolean;
}

// Find the engine, open a client and ping it; the one place that turns "no engine" into RuntimeUnavailableError.
export async function connectDocker(
  env: GantryEnv,
  strategies: readonly DiscoveryStrategy[] = DEFAULT_STRATEGIES,
): Promise<DockerConnection> {
  const endpoint = await discoverDockerEndpoint(env, strategies);
  if (!endpoint) throw unreachable(DEFAULT_SOCKET);
  const address = describeEndpoint(endpoint);
  const docker =
    endpoint.kind === "unix"
      ? new Dockerode({ socketPath: endpoint.socketPath })
      : new Dockerode({ host: endpoint.host, port: endpoint.port, protocol: "http" });
  try {
    const ping = docker.ping.bind(docker) as unknown as PingWithSignal;
    await ping({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) });
  } catch (cause) {
    throw unreachable(address, cause);
  }
  const isLocal = endpoint.kind === "unix" || LOCAL_HOSTS.has(endpoint.host);
  return { docker, endpoint, address, isLocal };
}

// The one message for "no engine", naming the address tried and the three ways out.
function unreachable(where: string, cause?: unknown): RuntimeUnavailableError {
  return new RuntimeUnavailableError(
    `Docker engine not reachable at ${where}: start Docker, set DOCKER_HOST, or run with --runtime=host`,
    { cause },
  );
}
