// Credentials for a push or a pull: the container's withRegistryAuth entry for the ref's registry, its secret resolved and masked.
import type { ContainerState } from "../nodes.js";
import type { Session } from "../session.js";
import type { RegistryAuth } from "../../runtime/runtime.js";
import { registryOfAddress } from "./image-ref.js";

/** What the Docker engine expects as the server address of Docker Hub credentials. */
const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

// The last entry whose address names `registry` wins, as a later withRegistryAuth replaces an earlier one.
export async function registryAuthFor(
  s: Session,
  state: Pick<ContainerState, "registryAuth">,
  registry: string,
): Promise<RegistryAuth | undefined> {
  const entries = (state.registryAuth ?? []).filter(
    (a) => registryOfAddress(a.address) === registry,
  );
  const entry = entries[entries.length - 1];
  if (!entry) return undefined;
  const password = await entry.secret.resolve();
  // Registered before anything could print it: step names, logs and errors are scrubbed from here on.
  s.scrubber.add(password);
  return {
    username: entry.username,
    password,
    serveraddress: registry === "docker.io" ? DOCKER_HUB_SERVER : registry,
  };
}
