// What every piece of the docker runtime needs from the run, passed in rather than reached for.
import type Dockerode from "dockerode";
import type { ContentStore } from "../../../store/content-store.js";
import type { DockerCredentials } from "./docker-credentials.js";

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
  /** Work the run need not wait for (removing a used container); close() waits for it before its sweep. */
  readonly later: LaterWork;
  /** The user's registry logins (Docker config), used when a pull or push has no withRegistryAuth for its registry. */
  readonly credentials?: DockerCredentials;
}

/**
 * Work started beside the run: removing the container a source layer was baked in takes the engine ~0.9 s for a
 * 10,000-file tree, and the exec on that layer need not wait for it. A failure is dropped: close()'s sweep by the
 * run's labels removes whatever is left.
 */
export class LaterWork {
  private readonly pending = new Set<Promise<unknown>>();

  add(work: Promise<unknown>): void {
    const done: Promise<unknown> = work
      .catch(() => undefined)
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  // Everything added so far, and anything added meanwhile, has finished.
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}

/** A dockerode client, or a function making it on first use (a run of cached steps may never need one). */
export type LazyDocker = Dockerode | (() => Dockerode);

// The client itself, made now if it was given as a function.
export function clientOf(docker: LazyDocker): Dockerode {
  return typeof docker === "function" ? docker() : docker;
}
