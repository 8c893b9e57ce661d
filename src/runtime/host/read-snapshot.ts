// Reading a host "container": what the pipeline put there comes from the upper tree, the rest from the host's system.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { NotFoundError } from "../../errors.js";
import type { ContentStore } from "../../store/content-store.js";
import type { FileEntry, Tree } from "../../store/tree.js";
import { hashHostDirectory } from "../../store/host-tree.js";
import { subTree } from "../../store/tree-ops.js";
import { isReserved, treePathOf, type SystemView } from "./system-view.js";

/** The directory at `containerPath` of a snapshot, as a Tree whose files are all in the store. */
export async function readSnapshotDirectory(
  store: ContentStore,
  view: SystemView,
  snapshot: string,
  containerPath: string,
): Promise<Tree> {
  const tree = await store.loadTree(snapshot);
  const p = resolveInTree(tree, treePathOf(containerPath));
  const entry = tree.entries[p];
  if (p === "" || entry?.type === "dir") return subTree(tree, p);
  if (!entry && isReserved(view, "/" + p) && (await isHostDir("/" + p))) {
    // Hashed through the stat cache, then copied in: the host may change after the run.
    const host = await hashHostDirectory("/" + p, {}, store);
    await store.persistTree(host);
    return host;
  }
  throw notFound("directory", containerPath, snapshot, entry?.type);
}

/** The file at `containerPath` of a snapshot; its blob is in the store. */
export async function readSnapshotFile(
  store: ContentStore,
  view: SystemView,
  snapshot: string,
  containerPath: string,
): Promise<FileEntry> {
  const tree = await store.loadTree(snapshot);
  const p = resolveInTree(tree, treePathOf(containerPath));
  const entry = tree.entries[p];
  if (entry?.type === "file") return entry;
  if (!entry && isReserved(view, "/" + p)) {
    const st = await stat("/" + p).catch(() => undefined);
    if (st?.isFile()) {
      const { digest, size } = await store.putStream(createReadStream("/" + p));
      return { type: "file", mode: st.mode & 0o7777, digest, size };
    }
  }
  throw notFound("file", containerPath, snapshot, entry?.type);
}

/** Follow symlinks inside the upper tree, component by component, as the kernel would; "" is the root. */
export function resolveInTree(tree: Tree, p: string): string {
  let rest = p === "" ? [] : p.split("/");
  let done: string[] = [];
  for (let hops = 0; rest.length > 0;) {
    const next = [...done, rest[0] as string].join("/");
    const entry = tree.entries[next];
    rest = rest.slice(1);
    if (entry?.type !== "symlink") {
      done = next.split("/");
      continue;
    }
    if (++hops > 40)
      throw new NotFoundError(`too many symbolic links resolving /${p} in the container`);
    const base = entry.target.startsWith("/") ? "/" : "/" + done.join("/");
    const target = treePathOf(path.posix.resolve(base, entry.target));
    rest = [...(target === "" ? [] : target.split("/")), ...rest];
    done = [];
  }
  return done.join("/");
}

/** A host directory (following links), as the sandbox would see it. */
async function isHostDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

/** One message for a missing path and for a path of the other kind. */
function notFound(
  kind: "file" | "directory",
  containerPath: string,
  snapshot: string,
  found?: string,
): NotFoundError {
  const what = found ? `is a ${found}, not a ${kind}` : "does not exist";
  return new NotFoundError(
    `${kind} ${containerPath} ${what} in the container (host snapshot ${snapshot.slice(0, 19)}…): ` +
      `check the path, or that the step that should create it ran before`,
  );
}
