// One exec: a container from the base with the pending file ops and mounts, run to exit, committed as the next snapshot.
import type Dockerode from "dockerode";
import path from "node:path/posix";
import type { ExecOutcome, ExecSpec } from "../../runtime.js";
import { CancelledError, UnsupportedError, UsageError } from "../../../errors.js";
import { applyOpsToImage, applyPuts, splitAtLastRm } from "./apply-ops.js";
import { runAttached, type RunResult } from "./attach-run.js";
import type { CacheVolumes } from "./cache-volumes.js";
import { commitContainer } from "./commit.js";
import { execCommitOptions } from "./exec-snapshot.js";
import { statPath } from "./container-archive.js";
import { createRunContainer, removeContainer } from "./containers.js";
import { buildExecWrapper } from "./exec-wrapper.js";
import { engineFailure } from "../connection/docker-errors.js";
import { createOptions, removedImageEnv, stdinFor, workdirOf } from "./exec-config.js";
import { prepareMounts, type PreparedMounts } from "./exec-mounts.js";
import { ROOT_OWNER } from "./owner.js";
import { putBytes } from "./put-archive.js";
import { SharedLayers } from "./shared-layers.js";
import type { DockerRunContext } from "../connection/run-context.js";

export { SNAPSHOT_REPO } from "./exec-snapshot.js";

// Run one exec end to end; whatever happens, its container, temporary volumes and secret files are gone after.
export async function runExecContainer(
  ctx: DockerRunContext,
  caches: CacheVolumes,
  layers: SharedLayers,
  spec: ExecSpec,
): Promise<ExecOutcome> {
  if (spec.args.length === 0) {
    throw new UsageError(`exec ${spec.step} has no command: give withExec at least one argument`);
  }
  const { signal } = spec;
  const cancelled = (cause?: unknown) =>
    new CancelledError(`exec ${spec.step} was cancelled`, { cause });
  if (signal.aborted) throw cancelled();
  let mounts: PreparedMounts | undefined;
  let container: Dockerode.Container | undefined;
  const kill = () => void container?.kill().catch(() => undefined);
  try {
    const { head, tail } = splitAtLastRm(spec.ops);
    let image = head.length > 0 ? await applyOpsToImage(ctx, spec.base, head, signal) : spec.base;
    let puts = tail;
    if (SharedLayers.worthSharing(tail))
      [image, puts] = [await layers.layer(image, tail, signal), []];
    const wrapper = buildExecWrapper(spec.secretEnv, await removedImageEnv(ctx, image, spec));
    mounts = await prepareMounts(ctx, caches, spec.mounts, image, signal);
    container = await createRunContainer(ctx, createOptions(spec, image, wrapper, mounts));
    signal.addEventListener("abort", kill, { once: true });
    if (wrapper) await requireShell(container, spec, image);
    await applyPuts(ctx, container, puts, signal);
    await mounts.populate(container, signal);
    if (signal.aborted) throw cancelled();
    const stdin = stdinFor(spec, wrapper);
    const result = await runAttached(container, { stdin, onOutput: spec.onOutput });
    if (signal.aborted) throw cancelled();
    await writeRedirects(ctx, container, spec, result);
    const mountOutputs = await mounts.readOutputs(container, signal);
    const commit = commitExec(ctx, container, spec);
    if (!canKeepForLater(spec))
      return { snapshot: await commit(), ...result, mounts: mountOutputs };
    // The stopped container stays, uncommitted, until something reads its filesystem (or close() sweeps it).
    const stopped = container;
    container = undefined;
    let kept: Promise<string> | undefined;
    const keep = () => {
      if (!kept) {
        kept = commit()
          .catch((err: unknown) => {
            throw engineFailure(`keeping the filesystem of exec ${spec.step}`, err);
          })
          .finally(() => ctx.later.add(removeContainer(stopped)));
        ctx.later.add(kept); // close() waits for a commit in flight before its sweep removes the container
      }
      return kept;
    };
    return { keep, ...result, mounts: mountOutputs };
  } catch (err) {
    if (signal.aborted && !(err instanceof CancelledError)) throw cancelled(err);
    throw engineFailure(`running exec ${spec.step}`, err);
  } finally {
    signal.removeEventListener("abort", kill);
    if (container) await removeContainer(container);
    await mounts?.dispose();
  }
}

// A container that mounts temporary volumes (directory mounts) is committed and removed now: the volumes go with it.
function canKeepForLater(spec: ExecSpec): boolean {
  return !spec.mounts.some((m) => m.kind === "dir");
}

// The exec's container as the image `gantry-cache:<digest hex>`, with the exec's own config (not the wrapper's).
function commitExec(
  ctx: DockerRunContext,
  container: Dockerode.Container,
  spec: ExecSpec,
): () => Promise<string> {
  return () => commitContainer(container, execCommitOptions(ctx, spec));
}

// The wrapper (secret variables, unset variables) is a shell script: without /bin/sh, say so instead of failing oddly.
async function requireShell(container: Dockerode.Container, spec: ExecSpec, image: string) {
  if (await statPath(container, "/bin/sh")) return;
  const secretNames = Object.keys(spec.secretEnv);
  const why =
    secretNames.length > 0
      ? `secret variable ${secretNames.join(", ")} is passed through a /bin/sh wrapper (docker would keep it in the image's config otherwise)`
      : "unsetting variables the image sets needs a /bin/sh wrapper";
  throw new UnsupportedError(
    `exec ${spec.step}: ${why}, and image ${spec.image ?? image} has no /bin/sh`,
    {
      hint: "mount the secret as a file (withMountedSecret), or use an image with a shell",
    },
  );
}

// redirectStdout/redirectStderr: the output becomes a file of the snapshot, relative paths under the workdir.
async function writeRedirects(
  ctx: DockerRunContext,
  container: Dockerode.Container,
  spec: ExecSpec,
  result: RunResult,
) {
  const workdir = workdirOf(spec);
  const redirects: [string | undefined, string][] = [
    [spec.redirectStdout, result.stdout],
    [spec.redirectStderr, result.stderr],
  ];
  for (const [to, text] of redirects)
    if (to) await putBytes(container, ctx.store, path.resolve(workdir, to), text, ROOT_OWNER);
}
