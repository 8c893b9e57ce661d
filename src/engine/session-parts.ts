// The engine pieces evaluators call back into (images, service bindings), handed to each Session by openSession.
// Evaluators reach them through the session, never by import: importing them was a load-time loop, once broken by global registries.
import type { ContainerState } from "./nodes.js";
import type { Session } from "./session.js";
import type { ImageConfig, ServiceBindingSpec, Snapshot } from "../runtime/runtime.js";
import type { FileEntry } from "../store/tree.js";

/** A built or imported image: its snapshot, content digest and config. */
export interface ExternalImageResult {
  snapshot: Snapshot;
  digest: string;
  config: ImageConfig;
}

/** Image builds, imports, tarballs and publishing. */
export interface ImageOps {
  /** Resolve a `dockerBuild` (kind "build") or `import` (kind "import") base to an image. */
  resolveExternal(
    s: Session,
    kind: "build" | "import",
    payload: unknown,
  ): Promise<ExternalImageResult>;
  publish(s: Session, state: ContainerState, ref: string): Promise<string>;
  tarball(s: Session, state: ContainerState): Promise<{ entry: FileEntry; name: string }>;
}

export interface StartedBindings {
  specs: ServiceBindingSpec[];
  network?: string;
  /** For a consumer that failed: which bound services died meanwhile, with their last log lines. */
  gone?: () => Promise<string | undefined>;
}

/**
 * Service bindings of an exec, in two phases: a binding's digest is known without starting anything
 * (so a cached consumer starts no service), and the services start only when the consumer runs.
 */
export interface BindingOps {
  /** `[alias, service digest]` sorted by alias: the bindings' part of a consumer's cache key. */
  digests(s: Session, state: ContainerState): Promise<[string, string][]>;
  /** Start every bound service (shared by digest within the run) and say how the consumer reaches them. */
  start(s: Session, state: ContainerState): Promise<StartedBindings>;
}

/** The pieces a Session is given. */
export interface SessionParts {
  images: ImageOps;
  bindings: BindingOps;
}
