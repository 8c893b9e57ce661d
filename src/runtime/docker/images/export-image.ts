// Container.export / asTarball: a docker-archive tarball of a snapshot with the pipeline's image config.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ImageConfig } from "../../runtime.js";
import { CancelledError, ImageError, NotFoundError } from "../../../errors.js";
import { engineMessage, isNotFound } from "../connection/docker-errors.js";
import { withImageConfig } from "./image-archive.js";
import type { DockerRunContext } from "../connection/run-context.js";

// `docker save` the snapshot, rewrite its config on the way, write to a temp file beside `dest`, then rename.
export async function exportSnapshot(
  ctx: DockerRunContext,
  snapshot: string,
  config: ImageConfig,
  dest: string,
  signal: AbortSignal,
): Promise<void> {
  await mkdir(path.dirname(path.resolve(dest)), { recursive: true });
  const tmp = `${path.resolve(dest)}.gantry-${randomBytes(6).toString("hex")}`;
  try {
    const saved = (await ctx.docker.getImage(snapshot).get()) as Readable;
    await pipeline(withImageConfig(saved, config), createWriteStream(tmp, { mode: 0o644 }), {
      signal,
    });
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    if (signal.aborted) throw new CancelledError(`export to ${dest} was cancelled`, { cause: err });
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
