// Dockerfile builds through the engine's build API: the context goes up as a tar, progress comes back as JSON lines.
import type Dockerode from "dockerode";
import type { Readable } from "node:stream";
import type { BuildSpec, ImageConfig, ResolvedImage } from "../../runtime.js";
import { CancelledError, ImageError } from "../../../errors.js";
import { packTree } from "../../../store/tree-tar.js";
import { engineMessage } from "../connection/docker-errors.js";
import { BuildTranscript, stripAnsi } from "./image-build-transcript.js";
import { openBuildSession, type BuildSession } from "./buildkit-session.js";
import { BuildKitTranscript } from "./buildkit-trace.js";
import { imageConfigOf, inspectImage } from "./image-resolver.js";
import { followJsonProgress, ProgressStreamError } from "./json-progress.js";
import { LABELS } from "../cleanup/labels.js";
import type { DockerRunContext } from "../connection/run-context.js";

const BUILDKIT_TRACE = "moby.buildkit.trace";

/** Put on every built image so Gantry's images can be found (and whose they are); taken out of the config the pipeline sees. */
const buildLabels = (ctx: DockerRunContext) => ({ ...ctx.ownerLabels, [LABELS.managed]: "true" });

// Build, follow the stream to its end (rejecting on an error line), then read the tagged image back.
// Builds with secrets go to BuildKit (the classic builder cannot receive them); the rest stay on the classic builder.
export async function buildImage(ctx: DockerRunContext, spec: BuildSpec): Promise<ResolvedImage> {
  const useBuildKit = Object.keys(spec.secrets ?? {}).length > 0;
  const classic = new BuildTranscript();
  const buildkit = new BuildKitTranscript((t) => spec.onOutput?.("stdout", t));
  let session: BuildSession | undefined;
  try {
    if (useBuildKit) session = await openBuildSession(ctx.docker, spec.secrets ?? {});
    const stream = await ctx.docker.buildImage(
      packTree(spec.context, ctx.store),
      buildOptions(ctx, spec, session),
    );
    await followJsonProgress(stream as Readable, spec.signal, (event) => {
      if (event.id === BUILDKIT_TRACE && typeof event.aux === "string") buildkit.push(event.aux);
      if (event.stream === undefined) return;
      classic.push(event.stream);
      spec.onOutput?.("stdout", stripAnsi(event.stream));
    });
  } catch (err) {
    if (spec.signal.aborted || err instanceof CancelledError) {
      throw new CancelledError(`image build of ${spec.dockerfile} was cancelled`, { cause: err });
    }
    if (err instanceof ProgressStreamError)
      throw (useBuildKit ? buildkit : classic).failure(spec.dockerfile, err.message, err);
    if (err instanceof ImageError) throw err;
    throw new ImageError(`could not build ${spec.dockerfile}: ${engineMessage(err)}`, {
      cause: err,
      hint: "check that the engine is running and has free disk space (docker system df)",
    });
  } finally {
    session?.close();
  }
  const built = await inspectImage(ctx.docker, spec.tag);
  if (!built) {
    throw new ImageError(
      `the build of ${spec.dockerfile} ended but the engine has no image ${spec.tag}`,
      {
        hint: "another process may have removed it; run again",
      },
    );
  }
  return { id: built.Id, config: withoutBuildLabels(ctx, imageConfigOf(built)) };
}

// Query parameters of POST /build; unset ones are left out rather than sent empty.
function buildOptions(
  ctx: DockerRunContext,
  spec: BuildSpec,
  session?: BuildSession,
): Dockerode.ImageBuildOptions {
  const opts: Dockerode.ImageBuildOptions & { session?: string } = {
    dockerfile: spec.dockerfile,
    t: spec.tag,
    buildargs: spec.buildArgs,
    labels: buildLabels(ctx),
    rm: true,
    forcerm: true,
    abortSignal: spec.signal,
  };
  if (spec.target) opts.target = spec.target;
  if (session) {
    // BuildKit with our own session (secrets). A number, not "2": dockerode opens a session of its own for "2",
    // which serves registry credentials only.
    (opts as { version?: unknown }).version = 2;
    opts.session = session.id;
  }
  return opts;
}

// The labels Gantry adds are bookkeeping, not part of the image the pipeline asked for.
function withoutBuildLabels(ctx: DockerRunContext, config: ImageConfig): ImageConfig {
  const labels = { ...config.labels };
  for (const key of Object.keys(buildLabels(ctx))) delete labels[key];
  return { ...config, labels };
}
