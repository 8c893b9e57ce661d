// Read a snapshot's directory or file into the content store, through a container that is created and never started.
import path from "node:path/posix";
import type Dockerode from "dockerode";
import type { FileEntry, Tree } from "../../../store/tree.js";
import { normalizeTreePath } from "../../../store/tree.js";
import { unpackTar } from "../../../store/tree-tar.js";
import { CancelledError, NotFoundError, UnsupportedError, isGantryError } from "../../../errors.js";
import { getArchive, isDirStat, isSymlinkStat, statPath } from "./container-archive.js";
import { createFileContainer, removeContainer } from "./containers.js";
import { engineMessage, isNotFound } from "../connection/docker-errors.js";
import { SHADOWED_FILES, withoutInitLayer } from "./init-layer.js";
import type { DockerRunContext } from "../connection/run-context.js";

// The directory at `dir` (symlinks followed), as a tree whose files are in the store.
export async function readSnapshotDirectory(
  ctx: DockerRunContext,
  snapshot: string,
  dir: string,
  signal: AbortSignal,
): Promise<Tree> {
  const clean = normalizeTreePath(dir);
  return withFileContainer(ctx, snapshot, signal, async (container) => {
    // "<dir>/." makes the engine follow a symlinked directory and name the entries "./…".
    let archive: Awaited<ReturnType<typeof getArchive>>;
    try {
      archive = await getArchive(container, `/${clean}/.`, signal);
    } catch (err) {
      const stat = await statPath(container, `/${clean}`);
      if (stat && !isDirStat(stat))
        throw notFound(`/${clean} is a file, not a directory`, "use file() to read it");
      throw err;
    }
    if (!archive)
      throw notFound(
        `no directory /${clean} in the container`,
        "check the path (directory() takes an absolute path or one relative to /)",
      );
    const tree = await unpackTar(archive.stream, ctx.store, { strip: "." });
    return withoutInitLayer(tree, clean);
  });
}

// The file at `file` (a symlink followed to its target), its contents in the store.
export async function readSnapshotFile(
  ctx: DockerRunContext,
  snapshot: string,
  file: string,
  signal: AbortSignal,
): Promise<FileEntry> {
  const clean = normalizeTreePath(file);
  if (SHADOWED_FILES.has(clean)) {
    throw new UnsupportedError(
      `reading /${clean} of a container is not possible on the docker runtime: docker hides the image's copy behind its own`,
      {
        hint: "copy the file elsewhere in the same step (cp /etc/hosts /tmp/hosts) and read that",
      },
    );
  }
  return withFileContainer(ctx, snapshot, signal, async (container) => {
    let target = `/${clean}`;
    let archive = await getArchive(container, target, signal);
    if (archive?.stat && isSymlinkStat(archive.stat)) {
      archive.stream.destroy();
      target = archive.stat.linkTarget;
      archive = await getArchive(container, target, signal);
    }
    if (!archive)
      throw notFound(
        `no file /${clean} in the container`,
        "check the path (file() takes an absolute path)",
      );
    if (archive.stat && isDirStat(archive.stat)) {
      archive.stream.destroy();
      throw notFound(`/${clean} is a directory, not a file`, "use directory() to read it");
    }
    const tree = await unpackTar(archive.stream, ctx.store);
    const entry = tree.entries[path.basename(target)];
    if (entry?.type !== "file")
      throw notFound(`/${clean} is not a regular file`, "read the file it points to instead");
    return entry;
  });
}

// Create, use, always remove; engine failures become errors that name the path's snapshot.
async function withFileContainer<T>(
  ctx: DockerRunContext,
  snapshot: string,
  signal: AbortSignal,
  use: (container: Dockerode.Container) => Promise<T>,
): Promise<T> {
  if (signal.aborted) throw new CancelledError("reading a snapshot was cancelled");
  let container: Dockerode.Container;
  try {
    container = await createFileContainer(ctx, snapshot);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    throw new NotFoundError(`snapshot ${snapshot} is no longer in the Docker engine`, {
      cause: err,
      hint: "it may have been pruned (docker image prune); run again to rebuild it",
    });
  }
  try {
    return await use(container);
  } catch (err) {
    if (signal.aborted)
      throw new CancelledError("reading a snapshot was cancelled", { cause: err });
    if (isGantryError(err)) throw err;
    throw new UnsupportedError(`could not read from snapshot ${snapshot}: ${engineMessage(err)}`, {
      cause: err,
    });
  } finally {
    await removeContainer(container);
  }
}

// Every "not there" of a read says what was asked and what to do.
function notFound(message: string, hint: string): NotFoundError {
  return new NotFoundError(message, { hint });
}
