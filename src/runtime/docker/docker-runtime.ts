// The docker runtime: snapshots are images, execs are containers committed by digest, files move as tar streams.
import type Dockerode from "dockerode";
import type {
  ExecOutcome,
  ExecSpec,
  FsOp,
  ImageConfig,
  RegistryAuth,
  ResolvedImage,
  Runtime,
  Snapshot,
} from "../runtime.js";
import type { ContentStore } from "../../store/content-store.js";
import type { FileEntry, Tree } from "../../store/tree.js";
import { CancelledError } from "../../errors.js";
import type { CacheVolumes } from "./exec/cache-volumes.js";
import { engineFailure } from "./connection/docker-errors.js";
import { inspectImage, resolveImage } from "./images/image-resolver.js";
import { LABELS, ownerLabels, runLabels } from "./cleanup/labels.js";
import type { StateOwner } from "../../store/cache/state-owner.js";
import { removeLabelled } from "./cleanup/run-cleanup.js";
import {
  clientOf,
  LaterWork,
  type DockerRunContext,
  type LazyDocker,
} from "./connection/run-context.js";
import type { DockerEndpoint } from "./connection/socket-discovery.js";
import { DockerCredentials } from "./connection/docker-credentials.js";
import type { SharedLayers } from "./exec/shared-layers.js";
import type { BuildkitExecs } from "./buildkit/buildkit-exec.js";
import { DockerServices } from "./services/docker-services.js";
import { DockerImages } from "./images/docker-images.js";
import { DockerDeployments } from "./deploy/docker-deployments.js";
import type { CacheObjects } from "../cache-objects.js";

export interface DockerRuntimeOptions {
  /** The client, or a function making it on first use (a run of cached steps may never need dockerode). */
  docker: LazyDocker;
  /** Where the engine is: image inspects (every run's `from`, every cached step's check) go there without dockerode. */
  endpoint?: DockerEndpoint;
  store: ContentStore;
  /** Names the run in labels; close() removes what carries it. */
  runId: string;
  /** The engine sees this machine's files (unix socket, loopback): bind mounts of secrets work. */
  isLocalEngine: boolean;
  /** Where the engine is, for messages. */
  address?: string;
  /** The state dir whose runs make the images and cache volumes (their labels); absent in tests of the runtime alone. */
  owner?: StateOwner;
  /** Work started beside the run (the reaper of dead runs' leftovers) that close() waits for. */
  background?: Promise<unknown>;
  /**
   * Experimental: run the execs BuildKit can run as the container API would through the engine's BuildKit (LLB),
   * the rest as containers (GANTRY_BUILDKIT_EXEC=1). Default: off.
   */
  buildkitExec?: boolean;
  /**
   * BuildKit execs' shim: the build's static binary where it made one for the image's architecture (output as it
   * comes), else a shell script (output when each exec ends). "shell" chooses the script always (its tests).
   */
  buildkitShim?: "shell";
  /**
   * How a big put shared by execs becomes an image: loaded as a layer where that gives the same files (the default),
   * or "commit": always a container's put and commit (its tests compare the two).
   */
  sourceLayers?: "commit";
  /** The Docker config folder (DOCKER_CONFIG, ~/.docker) whose logins pulls and pushes use; absent: none. */
  dockerConfig?: string;
}

export class DockerRuntime implements Runtime {
  readonly name = "docker" as const;
  private readonly ctx: DockerRunContext;
  private cacheVolumes?: Promise<CacheVolumes>;
  private layers?: Promise<SharedLayers>;
  private buildkit?: Promise<BuildkitExecs | undefined>;
  private readonly buildkitExec: boolean;
  private readonly buildkitShim?: "shell";
  private readonly sourceLayers?: "commit";
  private scratchId?: Promise<string>;
  /** Whether anything read the run's labels: every container, volume and network of the run is made with them, so a
   * run that never read them (every step cached) has nothing to remove at close. */
  private labelled = false;
  private readonly background?: Promise<unknown>;
  private readonly endpoint?: DockerEndpoint;
  readonly services: DockerServices;
  readonly images: DockerImages;
  readonly deployments: DockerDeployments;
  readonly cacheObjects: CacheObjects;

  constructor(opts: DockerRuntimeOptions) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(opts.runId)) {
      throw new TypeError(
        `runId must be letters, digits, _ . - (it names docker volumes), got ${JSON.stringify(opts.runId)}`,
      );
    }
    this.background = opts.background;
    this.buildkitExec = opts.buildkitExec ?? false;
    this.buildkitShim = opts.buildkitShim;
    this.sourceLayers = opts.sourceLayers;
    const labels = runLabels(opts.runId);
    const markLabelled = (): void => void (this.labelled = true);
    let client: Dockerode | undefined;
    this.endpoint = opts.endpoint;
    this.ctx = {
      store: opts.store,
      runId: opts.runId,
      isLocalEngine: opts.isLocalEngine,
      get docker() {
        return (client ??= clientOf(opts.docker));
      },
      get labels() {
        markLabelled();
        return labels;
      },
      ownerLabels: ownerLabels(opts.owner),
      later: new LaterWork(),
      credentials: opts.dockerConfig ? new DockerCredentials(opts.dockerConfig) : undefined,
    };
    this.services = new DockerServices(this.ctx, () => this.caches());
    this.images = new DockerImages(this.ctx);
    this.deployments = new DockerDeployments(this.ctx);
    this.cacheObjects = lazyCacheObjects(
      () => this.ctx.docker,
      opts.address ?? "the docker engine",
      opts.isLocalEngine,
    );
  }

  // Local first, pulled when missing; the id is what digests use.
  resolveImage(
    ref: string,
    signal: AbortSignal,
    opts?: { pull?: boolean; auth?: () => Promise<RegistryAuth | undefined> },
  ): Promise<ResolvedImage> {
    return resolveImage(() => this.ctx.docker, ref, signal, {
      ...opts,
      endpoint: this.endpoint,
      credentials: this.ctx.credentials,
    });
  }

  // One empty image per engine, made once per runtime at most.
  scratch(): Promise<Snapshot> {
    this.scratchId ??= import("./exec/scratch-image.js").then((m) =>
      m.ensureScratchImage(this.ctx.docker),
    );
    this.scratchId.catch(() => (this.scratchId = undefined));
    return this.scratchId;
  }

  // Ops, mounts, run, commit: see exec-container.ts. Loaded on the first exec: a run whose every step is cached from
  // Gantry's own records never needs the container code (about 40 modules).
  async exec(spec: ExecSpec): Promise<ExecOutcome> {
    const { terminal } = spec;
    if (terminal) {
      const { runTerminalContainer } = await import("./exec/terminal-container.js");
      return runTerminalContainer(this.ctx, await this.caches(), { ...spec, terminal });
    }
    const bk = await this.buildkitExecs();
    const solved = bk ? await bk.run(spec) : undefined;
    if (solved) return solved;
    const { runExecContainer } = await import("./exec/exec-container.js");
    return runExecContainer(this.ctx, await this.caches(), await this.sharedLayers(), spec);
  }

  // Experimental (GANTRY_BUILDKIT_EXEC=1): execs BuildKit can run as the container API would go through it.
  private buildkitExecs(): Promise<BuildkitExecs | undefined> {
    if (!this.buildkitExec) return Promise.resolve(undefined);
    this.buildkit ??= import("./buildkit/buildkit-exec.js").then(
      (m) => new m.BuildkitExecs(this.ctx, { shellShim: this.buildkitShim === "shell" }),
    );
    return this.buildkit;
  }

  // The run's cache volumes (and their locks' code), loaded by the first exec or service: a cached run mounts none.
  private caches(): Promise<CacheVolumes> {
    this.cacheVolumes ??= import("./exec/cache-volumes.js").then(
      (m) => new m.CacheVolumes(this.ctx),
    );
    return this.cacheVolumes;
  }

  // The run's shared source layers, made on the first exec that needs them.
  private sharedLayers(): Promise<SharedLayers> {
    this.layers ??= import("./exec/shared-layers.js").then(
      (m) => new m.SharedLayers(this.ctx, { bake: this.sourceLayers }),
    );
    return this.layers;
  }

  // No ops, no new image: the base already is the answer.
  async applyOps(base: Snapshot, ops: FsOp[], signal: AbortSignal): Promise<Snapshot> {
    if (ops.length === 0) return base;
    if (signal.aborted) throw new CancelledError("applying file operations was cancelled");
    try {
      const { applyOpsToImage } = await import("./exec/apply-ops.js");
      return await applyOpsToImage(this.ctx, base, ops, signal);
    } catch (err) {
      if (signal.aborted && !(err instanceof CancelledError)) {
        throw new CancelledError("applying file operations was cancelled", { cause: err });
      }
      throw engineFailure(`applying file operations to ${base}`, err);
    }
  }

  // Images can be pruned between runs; a cached snapshot is only good while its image exists.
  async hasSnapshot(snapshot: Snapshot): Promise<boolean> {
    return (await inspectImage(() => this.ctx.docker, snapshot, this.endpoint)) !== undefined;
  }

  // Through a container that is created and never started (archive endpoint).
  async readDirectory(snapshot: Snapshot, path: string, signal: AbortSignal): Promise<Tree> {
    const { readSnapshotDirectory } = await import("./exec/archive-read.js");
    return readSnapshotDirectory(this.ctx, snapshot, path, signal);
  }

  // As readDirectory; a symlink is followed to its target.
  async readFile(snapshot: Snapshot, path: string, signal: AbortSignal): Promise<FileEntry> {
    const { readSnapshotFile } = await import("./exec/archive-read.js");
    return readSnapshotFile(this.ctx, snapshot, path, signal);
  }

  // `docker save` with the config rewritten on the way to `dest` (see image-archive.ts for why not commit).
  async exportImage(
    snapshot: Snapshot,
    config: ImageConfig,
    dest: string,
    signal: AbortSignal,
  ): Promise<void> {
    const { exportSnapshot } = await import("./images/export-image.js");
    return exportSnapshot(this.ctx, snapshot, config, dest, signal);
  }

  // Everything labelled with this run goes; cache volumes and committed images stay for the next run.
  async close(): Promise<void> {
    await this.background;
    await this.ctx.later.settle();
    await (await this.buildkit)?.close();
    await this.services.close();
    if (!this.labelled) return;
    try {
      await removeLabelled(this.ctx.docker, { [LABELS.run]: this.ctx.runId });
    } catch (err) {
      throw engineFailure(
        `removing the containers, volumes and networks of run ${this.ctx.runId}`,
        err,
      );
    }
  }
}

// `gantry cache` and the after-run check ask the engine through these; their code (image listing, volume sizes) loads
// on the first question, which a run that stays under its limit by estimate never asks.
function lazyCacheObjects(
  docker: () => Dockerode,
  address: string,
  isLocal: boolean,
): CacheObjects {
  let loaded: Promise<CacheObjects> | undefined;
  const objects = (): Promise<CacheObjects> =>
    (loaded ??= import("./cleanup/owned-objects.js").then((m) =>
      m.dockerCacheObjects(docker(), address, isLocal),
    ));
  return {
    address,
    images: async () => (await objects()).images(),
    addedBytes: async (ids, since) =>
      ids.length === 0 ? 0 : (await objects()).addedBytes(ids, since),
    volumes: async (opts) => (await objects()).volumes(opts),
    cacheVolumeBytes: async (caches) => (await objects()).cacheVolumeBytes(caches),
    removeImage: async (image) => (await objects()).removeImage(image),
    removeVolume: async (name) => (await objects()).removeVolume(name),
  };
}
