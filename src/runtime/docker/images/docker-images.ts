// Image builds, publishing and tarball import on the Docker engine: the docker runtime's ImageRuntime.
import type {
  BuildSpec,
  ImageConfig,
  ImageRuntime,
  RegistryAuth,
  ResolvedImage,
  Snapshot,
} from "../../runtime.js";
import type { FileEntry } from "../../../store/tree.js";
import { CancelledError } from "../../../errors.js";
import type { DockerRunContext } from "../connection/run-context.js";

// Each operation's code is loaded on its first use: most runs build, publish and load no image.
export class DockerImages implements ImageRuntime {
  private readonly ctx: DockerRunContext;

  constructor(ctx: DockerRunContext) {
    this.ctx = ctx;
  }

  // The classic builder (POST /build): the filtered context as a tar, rejected on the first error line.
  async build(spec: BuildSpec): Promise<ResolvedImage> {
    if (spec.signal.aborted)
      throw new CancelledError(`image build of ${spec.dockerfile} was cancelled`);
    const { buildImage } = await import("./image-build.js");
    return buildImage(this.ctx, spec);
  }

  // Push the snapshot under `ref` with exactly `config`; answers `ref@sha256:…`.
  async publish(
    snapshot: Snapshot,
    config: ImageConfig,
    ref: string,
    auth: RegistryAuth | undefined,
    signal: AbortSignal,
  ): Promise<string> {
    if (signal.aborted) throw new CancelledError(`publish of ${ref} was cancelled`);
    const { publishImage } = await import("./image-publish.js");
    return publishImage(this.ctx, { snapshot, config, ref, auth, signal });
  }

  // POST /images/load of a docker-archive tarball held in the content store.
  async load(tarball: FileEntry, signal: AbortSignal): Promise<ResolvedImage> {
    if (signal.aborted) throw new CancelledError("loading an image tarball was cancelled");
    const { loadTarball } = await import("./image-load.js");
    return loadTarball(this.ctx, tarball.digest, signal);
  }
}
