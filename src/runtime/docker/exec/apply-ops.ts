// File ops before an exec: puts go straight into a created container; removals need a process, so a short one runs first.
import type Dockerode from "dockerode";
import type { FsOp } from "../../runtime.js";
import { CancelledError, UnsupportedError } from "../../../errors.js";
import { LABELS } from "../cleanup/labels.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { runAttached } from "./attach-run.js";
import { commitContainer } from "./commit.js";
import { statPath } from "./container-archive.js";
import { createFileContainer, removeContainer } from "./containers.js";
import { resolveOwner } from "./owner.js";
import { putFile, putTree } from "./put-archive.js";

type PutOp = Exclude<FsOp, { op: "rm" }>;
type RmOp = Extract<FsOp, { op: "rm" }>;

// Everything up to the last removal must be baked into an image first; the puts after it can ride along with the exec.
export function splitAtLastRm(ops: readonly FsOp[]): { head: FsOp[]; tail: PutOp[] } {
  const last = ops.map((op) => op.op).lastIndexOf("rm");
  return { head: ops.slice(0, last + 1), tail: ops.slice(last + 1) as PutOp[] };
}

// Put files and trees into a created or stopped container, in order.
export async function applyPuts(
  ctx: DockerRunContext,
  container: Dockerode.Container,
  ops: readonly PutOp[],
  signal: AbortSignal,
): Promise<void> {
  for (const op of ops) {
    if (signal.aborted) throw new CancelledError(`writing ${op.path} was cancelled`);
    const owner = await resolveOwner(container, op.owner);
    if (op.op === "put") await putTree(container, ctx.store, op.path, op.tree, owner, signal);
    else await putFile(container, ctx.store, op.path, op.entry, owner, signal);
  }
}

/**
 * Another way to make a stage without removals: given the stage's created (never started) container, its base image and
 * its puts, the image, or undefined to put and commit as usual.
 */
export type PutsShortcut = (
  container: Dockerode.Container,
  image: string,
  puts: readonly PutOp[],
) => Promise<string | undefined>;

// Apply ops to an image and commit the result: one container per run of removals (rm needs a shell), puts around them.
export async function applyOpsToImage(
  ctx: DockerRunContext,
  base: string,
  ops: readonly FsOp[],
  signal: AbortSignal,
  shortcut?: PutsShortcut,
): Promise<string> {
  let image = base;
  let i = 0;
  while (i < ops.length) {
    const before = takeWhile(ops, i, (op) => op.op !== "rm") as PutOp[];
    const rms = takeWhile(ops, i + before.length, (op) => op.op === "rm") as RmOp[];
    const after = takeWhile(ops, i + before.length + rms.length, (op) => op.op !== "rm") as PutOp[];
    i += before.length + rms.length + after.length;
    image = await applyStage(ctx, image, before, rms, after, signal, shortcut);
  }
  return image;
}

// One container: puts, then `rm -rf` of the removed paths as its only process, then more puts, then commit.
async function applyStage(
  ctx: DockerRunContext,
  image: string,
  before: PutOp[],
  rms: RmOp[],
  after: PutOp[],
  signal: AbortSignal,
  shortcut: PutsShortcut | undefined,
): Promise<string> {
  const paths = rms.map((op) => op.path);
  const cmd = paths.length > 0 ? ["/bin/sh", "-c", 'rm -rf -- "$@"', "rm", ...paths] : undefined;
  const container = await createFileContainer(ctx, image, cmd);
  try {
    const made = paths.length === 0 ? await shortcut?.(container, image, before) : undefined;
    if (made) return made;
    await applyPuts(ctx, container, before, signal);
    if (paths.length > 0) await removePaths(container, image, paths, signal);
    await applyPuts(ctx, container, after, signal);
    return await commitContainer(container, {
      config: { Labels: { ...ctx.ownerLabels, [LABELS.managed]: "true" } },
      comment: "gantry: file operations",
    });
  } finally {
    // the image is committed: the exec on it starts while the engine removes the container (close() waits for it)
    ctx.later.add(removeContainer(container));
  }
}

// Start the stage's container, whose command is the rm; a missing shell or a failing rm is the pipeline's to fix.
async function removePaths(
  container: Dockerode.Container,
  image: string,
  paths: string[],
  signal: AbortSignal,
): Promise<void> {
  const named = paths.join(", ");
  if (!(await statPath(container, "/bin/sh"))) {
    throw new UnsupportedError(
      `cannot remove ${named}: removing a path on the docker runtime runs rm in the image, and image ${image} has no /bin/sh`,
      {
        hint: "leave the path out before copying it in (Directory.withoutFile/withoutDirectory), or remove it in an image that has a shell",
      },
    );
  }
  if (signal.aborted) throw new CancelledError(`removing ${named} was cancelled`);
  const result = await runAttached(container);
  if (result.exitCode !== 0) {
    throw new UnsupportedError(
      `removing ${named} in image ${image} failed (rm exited with ${result.exitCode}): ${result.stderr.trim()}`,
    );
  }
}

// The ops from `start` for as long as `test` holds.
function takeWhile(ops: readonly FsOp[], start: number, test: (op: FsOp) => boolean): FsOp[] {
  let end = start;
  while (end < ops.length && test(ops[end] as FsOp)) end++;
  return ops.slice(start, end);
}
