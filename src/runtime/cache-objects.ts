// The engine objects Gantry owns (images it committed, its volumes), as `cache ls|prune|gc` see them: found by
// Gantry's labels only, so an image or volume a person made is never listed, let alone removed.
import type { StateOwner } from "../store/cache/state-owner.js";

/** An image Gantry committed or built (label `gantry.managed=true`). */
export interface OwnedImage {
  id: string;
  /** Its tags; only Gantry's own repositories (gantry-cache, gantry-build) when it may be removed. */
  tags: string[];
  /** Bytes this image adds over its parent (what removing it can free). */
  size: number;
  /** Creation time (ms since the epoch; the engine says it to the second). */
  created: number;
  /** The exec digest it holds (label `gantry.digest`), for exec snapshots. */
  digest?: string;
  /** Another image is built on it: it goes only with its children. */
  hasChildren: boolean;
  /** It also carries a tag outside Gantry's repositories (a deploy's release tag): never removed. */
  userTagged: boolean;
  /** The state dir that made it (its labels), when it was made since images carry one. */
  owner?: StateOwner;
}

/** A volume Gantry made (label `gantry.managed=true`). */
export interface OwnedVolume {
  name: string;
  /** `cache`: a cache volume (`cacheVolume(name)`); `temp`: a run's throwaway; `other`: a service's named volume. */
  kind: "cache" | "temp" | "other";
  /** The cache's name for cache volumes. */
  cache?: string;
  /** The run that made it (temporary and service volumes). */
  run?: string;
  /** Bytes on disk, when sizes were asked for and the engine says. */
  size?: number;
  created?: number;
  /** Containers using it (when known): the engine refuses to remove a volume in use. */
  refCount?: number;
  /** The state dir that made it (its labels), when it was made since volumes carry one. */
  owner?: StateOwner;
}

/** Listing and removing what Gantry owns on an engine; the docker runtime has it, the host runtime does not. */
export interface CacheObjects {
  /** Where the engine is, for messages (`/var/run/docker.sock`). */
  readonly address: string;
  /** Every image with Gantry's label. Slow on a big engine (a full list): for ls, gc and prune. */
  images(): Promise<OwnedImage[]>;
  /**
   * What these images (a run's) add, in bytes: each over its nearest ancestor older than `since` (the run's start) or
   * among `ids`, so that a build's and file operations' intermediate images count. A few inspects each: the cheap
   * check after a run.
   */
  addedBytes(ids: readonly string[], since?: number): Promise<number>;
  /** `sizes` asks the engine to measure volumes (slow on big volumes: only for ls, gc and prune). */
  volumes(opts: { sizes: boolean }): Promise<OwnedVolume[]>;
  /**
   * Remove an image: by its Gantry tags (a user tag is never touched), without force; false when the engine
   * refuses (a container or a child image uses it) or it is already gone.
   */
  removeImage(image: OwnedImage): Promise<boolean>;
  /**
   * The bytes the cache volumes of these caches hold now, for the after-run check; only those this process can size
   * without the engine walking every volume (a local engine whose volume folders it can read), the rest left out.
   */
  cacheVolumeBytes(caches: readonly string[]): Promise<Map<string, number>>;
  /** Remove a volume, without force; false when it is in use or gone. */
  removeVolume(name: string): Promise<boolean>;
}
