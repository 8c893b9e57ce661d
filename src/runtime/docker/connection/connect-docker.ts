// Open a Docker client and prove the engine answers, so a missing engine fails once, early and clearly.
import { createRequire } from "node:module";
import type Dockerode from "dockerode";
import type { GantryEnv } from "../../../env.js";
import { RuntimeUnavailableError } from "../../../errors.js";
import { installDockerodeStubs } from "./dockerode-lean.js";
import { EngineHttpError, engineRequest } from "./engine-http.js";
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

export interface DockerConnection {
  /** The client, made (and dockerode loaded) on first use: a run of cached steps may never need it. */
  readonly docker: Dockerode;
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
  try {
    const reply = await engineRequest(
      endpoint,
      "GET",
      "/_ping",
      AbortSignal.timeout(PING_TIMEOUT_MS),
    );
    if (reply.status !== 200) throw new EngineHttpError("GET", "/_ping", reply);
  } catch (cause) {
    throw unreachable(address, cause);
  }
  const isLocal = endpoint.kind === "unix" || LOCAL_HOSTS.has(endpoint.host);
  let docker: Dockerode | undefined;
  return {
    get docker() {
      return (docker ??= dockerClient(endpoint));
    },
    endpoint,
    address,
    isLocal,
  };
}

/** A dockerode client for the endpoint; dockerode is CommonJS, so it loads here, synchronously, on first use. */
export function dockerClient(endpoint: DockerEndpoint): Dockerode {
  installDockerodeStubs();
  const DockerodeClass = createRequire(import.meta.url)("dockerode") as typeof Dockerode;
  return endpoint.kind === "unix"
    ? new DockerodeClass({ socketPath: endpoint.socketPath })
    : new DockerodeClass({ host: endpoint.host, port: endpoint.port, protocol: "http" });
}

// The one message for "no engine", naming the address tried and the three ways out.
function unreachable(where: string, cause?: unknown): RuntimeUnavailableError {
  return new RuntimeUnavailableError(
    `Docker engine not reachable at ${where}: start Docker, set DOCKER_HOST, or run with --runtime=host`,
    { cause },
  );
}
