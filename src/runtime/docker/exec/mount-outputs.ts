// After an exec, a writable directory mount is read out of its temp volume (the archive endpoint sees a stopped
// container's volumes), and a writable file mount out of its private host copy: Dagger's mount outputs.
import { stat } from "node:fs/promises";
import type Dockerode from "dockerode";
import { mountHasOutput, type MountOutput, type MountSpec } from "../../runtime.js";
import { nestedTargets, settleMountOutput } from "../../mount-output.js";
import { normalizeTreePath, type Tree } from "../../../store/tree.js";
import { unpackTar } from "../../../store/tree-tar.js";
import { InternalError, NotFoundError } from "../../../errors.js";
import { getArchive } from "./container-archive.js";
import type { DockerRunContext } from "../connection/run-context.js";

/** The outputs of every writable directory/file mount of `specs`, in their order. */
export async function readMountOutputs(
  ctx: DockerRunContext,
  container: Dockerode.Container,
  specs: readonly MountSpec[],
  fileCopies: ReadonlyMap<string, string>,
  signal: AbortSignal,
): Promise<MountOutput[]> {
  const out: MountOutput[] = [];
  for (const spec of specs) {
    if (!mountHasOutput(spec)) continue;
    if (spec.kind === "file") {
      const copy = fileCopies.get(spec.target);
      if (!copy) throw new InternalError(`no host copy for the file mount at ${spec.target}`);
      out.push({
        kind: "file",
        target: spec.target,
        entry: await readCopy(ctx, copy, spec.target),
      });
      continue;
    }
    const tree = await readVolume(ctx, container, spec.target, signal);
    const nested = nestedTargets(spec.target, specs);
    out.push({
      kind: "dir",
      target: spec.target,
      tree: settleMountOutput(tree, spec.tree, nested),
    });
  }
  return out;
}

// "<target>/." names the entries "./…" and follows the mount point itself.
async function readVolume(
  ctx: DockerRunContext,
  container: Dockerode.Container,
  target: string,
  signal: AbortSignal,
): Promise<Tree> {
  const clean = normalizeTreePath(target);
  const archive = await getArchive(container, clean === "" ? "/." : `/${clean}/.`, signal);
  if (!archive)
    throw new NotFoundError(`the mounted directory ${target} was gone after the exec`, {
      hint: "a command that removes its own mount point loses the mount's contents",
    });
  return unpackTar(archive.stream, ctx.store, { strip: "." });
}

// The exec may have rewritten the file (in place; a rename onto a bind mount fails in the container).
async function readCopy(ctx: DockerRunContext, copy: string, target: string) {
  const snap = await ctx.store.snapshotHostFile(copy);
  if (!snap) throw new NotFoundError(`the mounted file ${target} was gone after the exec`);
  const mode = (await stat(copy)).mode & 0o7777;
  return { type: "file" as const, mode, digest: snap.digest, size: snap.size };
}
