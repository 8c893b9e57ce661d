// A published image must carry exactly the pipeline's config. A commit cannot give that (docker merges the
// container's config back in), so the snapshot is saved, its config rewritten, and loaded back as a new image.
import type { Readable } from "node:stream";
import type { ImageConfig } from "../../runtime.js";
import { ImageError, NotFoundError } from "../../../errors.js";
import { engineMessage } from "../connection/docker-errors.js";
import { withImageConfig } from "./image-archive.js";
import { imageConfigOf, inspectImage } from "./image-resolver.js";
import { loadArchive } from "./image-load.js";
import type { DockerRunContext } from "../connection/run-context.js";

export interface ConfiguredImage {
  id: string;
  /** Made here for this publish only: the caller may remove it when done. */
  temporary: boolean;
}

// The snapshot itself when its config already is the one asked for (a built image published as is), else a rewrite.
export async function imageWithConfig(
  ctx: DockerRunContext,
  snapshot: string,
  config: ImageConfig,
  signal: AbortSignal,
): Promise<ConfiguredImage> {
  const info = await inspectImage(ctx.docker, snapshot);
  if (!info) {
    throw new NotFoundError(`snapshot ${snapshot} is no longer in the Docker engine`, {
      hint: "it may have been pruned (docker image prune); run again to rebuild it",
    });
  }
  if (sameConfig(imageConfigOf(info), config)) return { id: info.Id, temporary: false };
  let saved: Readable;
  try {
    saved = (await ctx.docker.getImage(info.Id).get()) as Readable;
  } catch (err) {
    throw new ImageError(
      `could not read snapshot ${snapshot} out of the engine: ${engineMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  const loaded = await loadArchive(
    ctx,
    withImageConfig(saved, config),
    `the image of ${snapshot}`,
    signal,
  );
  const made = await inspectImage(ctx.docker, loaded);
  if (!made)
    throw new ImageError(
      `the engine loaded the image of ${snapshot} as ${loaded} but does not list it`,
    );
  return { id: made.Id, temporary: made.Id !== info.Id };
}

// Field by field, order-insensitive where the engine does not keep order; any doubt means "rewrite".
function sameConfig(a: ImageConfig, b: ImageConfig): boolean {
  return (
    same(a.env, b.env) &&
    a.workdir === b.workdir &&
    a.user === b.user &&
    same(a.entrypoint, b.entrypoint) &&
    same(a.cmd, b.cmd) &&
    same(Object.entries(a.labels).sort(), Object.entries(b.labels).sort()) &&
    same([...a.exposedPorts].sort(), [...b.exposedPorts].sort()) &&
    same(a.healthcheck ?? null, b.healthcheck ?? null)
  );
}

// JSON equality of small plain values.
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
