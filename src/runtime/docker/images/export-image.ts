// Container.export / asTarball: a docker-archive tarball of a snapshot with the pipeline's image config.
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ImageConfig } from "../../runtime.js";
import { CancelledError, ImageError, NotFoundError } from "../../../errors.js";
import { exportWriteError, prepareExportDestination } from "../../../store/export-destination.js";
import { engineMessage, isNotFound } from "../connection/docker-errors.js";
import { withImageConfig } from "./image-archive.js";
import type { DockerRunContext } from "../connection/run-context.js";

const FILE_CALLS = new Set(["open", "write", "close", "rename", "fsync"]);

// `docker save` the snapshot, rewrite its config on the way, write to a temp file beside `dest`, then rename.
export async function exportSnapshot(
  ctx: DockerRunContext,
  snapshot: string,
  config: ImageConfig,
  dest: string,
  signal: AbortSignal,
): Promise<void> {
  const abs = path.resolve(dest);
  await prepareExportDestination(abs, "file");
  const tmp = `${abs}.gantry-${randomBytes(6).toString("hex")}`;
  // opened before asking the engine, so a destination that cannot be written fails before any transfer
  const out = await open(tmp, "wx", 0o644).catch((err: unknown) => {
    throw exportWriteError(abs, err, abs);
  });
  try {
    const saved = (await ctx.docker.getImage(snapshot).get()) as Readable;
    await pipeline(withImageConfig(saved, config), out.createWriteStream(), { signal });
    await rename(tmp, abs);
  } catch (err) {
    await out.close().catch(() => undefined);
    await rm(tmp, { force: true });
    if (signal.aborted) throw new CancelledError(`export to ${dest} was cancelled`, { cause: err });
    // a file system call failing is the destination's doing; the engine's socket errors are not
    if (FILE_CALLS.has((err as NodeJS.ErrnoException).syscall ?? ""))
      throw exportWriteError(abs, err, abs);
    if (isNotFound(err)) {
      throw new NotFoundError(`snapshot ${snapshot} is no longer in the Docker engine`, {
        cause: err,
        hint: "it may have been pruned (docker image prune); run again to rebuild it",
      });
    }
    throw new ImageError(`could not export image to ${dest}: ${engineMessage(err)}`, {
      cause: err,
      hint: "check free disk space and that the destination directory is writable",
    });
  }
}
