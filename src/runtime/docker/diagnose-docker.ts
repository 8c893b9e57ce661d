// What `gantry doctor` asks of a Docker engine: where it is, its version and API, its storage, and BuildKit.
import type { GantryEnv } from "../../env.js";
import { connectDocker } from "./connection/connect-docker.js";
import { probeBuildkit, type BuildkitProbe } from "./connection/buildkit-probe.js";

export interface DockerFacts {
  address: string;
  /** How the engine was found (DOCKER_HOST, the default socket, a Podman socket…). */
  source: string;
  isLocal: boolean;
  product: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  storageDriver?: string;
  rootDir?: string;
  buildkit: BuildkitProbe;
}

/** Connect (throws RuntimeUnavailableError as a run would) and gather the engine's facts. */
export async function diagnoseDocker(env: GantryEnv): Promise<DockerFacts> {
  const conn = await connectDocker(env);
  const [version, info, buildkit] = await Promise.all([
    conn.docker.version(),
    conn.docker.info() as Promise<{ Driver?: string; DockerRootDir?: string }>,
    probeBuildkit(conn.endpoint),
  ]);
  const components = (version as { Components?: { Name: string }[] }).Components ?? [];
  const podman = components.some((c) => /podman/i.test(c.Name));
  return {
    address: conn.address,
    source: conn.endpoint.source,
    isLocal: conn.isLocal,
    product: podman ? "Podman" : "Docker Engine",
    version: version.Version,
    apiVersion: version.ApiVersion,
    os: version.Os,
    arch: version.Arch,
    ...(info.Driver ? { storageDriver: info.Driver } : {}),
    ...(info.DockerRootDir ? { rootDir: info.DockerRootDir } : {}),
    buildkit,
  };
}
