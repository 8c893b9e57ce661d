// `docker load` through the API: an image tarball goes in, the engine answers with the name or id it loaded.
import type { Readable } from "node:stream";
import type { ResolvedImage } from "../../runtime.js";
import { CancelledError, ImageError } from "../../../errors.js";
import { engineMessage } from "../connection/docker-errors.js";
import { imageConfigOf, inspectImage } from "./image-resolver.js";
import { followJsonProgress } from "./json-progress.js";
import type { DockerRunContext } from "../connection/run-context.js";

/** Loaded images are tagged so `docker image prune` does not take them as dangling. */
export const IMPORT_REPO = "gantry-import";

/** What the engine printed for each image of the archive: a `repo:tag`, or `sha256:…` for untagged ones. */
const LOADED = /^Loaded image(?: ID)?: (\S+)/;

// Stream the archive in and return the first image it held (by name or id), as the engine reports it.
export async function loadArchive(
  ctx: DockerRunContext,
  archive: Readable,
  what: string,
  signal: AbortSignal,
): Promise<string> {
  const loaded: string[] = [];
  try {
    const stream = await ctx.docker.loadImage(archive, { quiet: true, abortSignal: signal });
    await followJsonProgress(stream as Readable, signal, (event) => {
      for (const line of (event.stream ?? "").split("\n")) {
        const m = LOADED.exec(line.trim());
        if (m?.[1]) loaded.push(m[1]);
      }
    });
  } catch (err) {
    if (signal.aborted || err instanceof CancelledError) {
      throw new CancelledError(`loading ${what} was cancelled`, { cause: err });
    }
    throw new ImageError(`could not load ${what} into the engine: ${engineMessage(err)}`, {
      cause: err,
      hint:
        "give a docker-archive tarball (docker save, Container.export, Container.asTarball); " +
        "Docker engines before 25 cannot load OCI image layouts",
    });
  }
  const first = loaded[0];
  if (!first) {
    throw new ImageError(`the engine loaded ${what} but named no image in it`, {
      hint: "check that the tarball holds an image (tar -tf it: manifest.json, a config, layers)",
    });
  }
  return first;
}

// Container.import: load the tarball kept in the content store, keep the image tagged, read its config.
export async function loadTarball(
  ctx: DockerRunContext,
  digest: string,
  signal: AbortSignal,
): Promise<ResolvedImage> {
  const what = `image tarball ${digest}`;
  const name = await loadArchive(ctx, await ctx.store.openBlob(digest), what, signal);
  const info = await inspectImage(ctx.docker, name);
  if (!info) throw new ImageError(`${what} loaded as ${name}, but the engine does not list it`);
  try {
    await ctx.docker
      .getImage(info.Id)
      .tag({ repo: IMPORT_REPO, tag: info.Id.replace(/^sha256:/, "") });
  } catch (err) {
    throw new ImageError(`could not tag the image loaded from ${what}: ${engineMessage(err)}`, {
      cause: err,
    });
  }
  return { id: info.Id, config: imageConfigOf(info) };
}
