// What every piece of the docker runtime needs from the run, passed in rather than reached for.
import type Dockerode from "dockerode";
import type { ContentStore } from "../../../store/content-store.js";

export interface DockerRunContext {
  readonly docker: Dockerode;
  readonly store: ContentStore;
  readonly runId: string;
  /** The engine shares this machine's filesystem, so a bind mount of a host file reaches it. */
  readonly isLocalEngine: boolean;
  /** `runLabels(runId)`: put on every container, temporary volume and network of the run. */
  readonly labels: Readonly<Record<string, string>>;
  /** `ownerLabels(stateOwner)`: put on committed and built images and on cache volumes (orphans are told by them). */
  readonly ownerLabels: Readonly<Record<string, string>>;
}

/** A dockerode client, or a function making it on first use (a run of cached steps may never need one). */
export type LazyDocker = Dockerode | (() => Dockerode);

// The client itself, made now if it was given as a function.
export function clientOf(docker: LazyDocker): Dockerode {
  return typeof docker === "function" ? docker() : docker;
}
