// Files go into a container as a tar through putArchive: never a bind mount, so a remote engine works too.
import type Dockerode from "dockerode";
import path from "node:path/posix";
import type { ContentStore } from "../../../store/content-store.js";
import {
  normalizeTreePath,
  type FileEntry,
  type Tree,
  type TreeEntry,
} from "../../../store/tree.js";
import { packTree } from "../../../store/tree-tar.js";
import { UnsupportedError } from "../../../errors.js";
import { engineMessage } from "../connection/docker-errors.js";
import { statPath } from "./container-archive.js";
import type { Owner } from "./owner.js";

// Merge a tree into the directory at `target`, creating it (owned by `owner`) when missing; an existing one keeps its mode.
export async function putTree(
  container: Dockerode.Container,
  store: ContentStore,
  target: string,
  tree: Tree,
  owner: Owner,
  signal?: AbortSignal,
): Promise<void> {
  const dir = normalizeTreePath(target);
  if (dir !== "" && !(await statPath(container, "/" + dir))) {
    const base = path.basename(dir);
    await put(container, store, path.dirname(dir), underRoot(tree, base), owner, target, signal);
    return;
  }
  if (Object.keys(tree.entries).length === 0) return;
  await put(container, store, dir, tree, owner, target, signal);
}

// A mount's contents with its root directory given `owner` too (Dagger's owner on a mount chowns the directory itself).
export async function putOwnedTree(
  container: Dockerode.Container,
  store: ContentStore,
  target: string,
  tree: Tree,
  owner: Owner,
  signal?: AbortSignal,
): Promise<void> {
  const dir = normalizeTreePath(target);
  if (dir === "") return putTree(container, store, target, tree, owner, signal);
  const rooted = underRoot(tree, path.basename(dir));
  await put(container, store, path.dirname(dir), rooted, owner, target, signal);
}

// Write one file at `target`; missing parent directories are created, owned by root.
export async function putFile(
  container: Dockerode.Container,
  store: ContentStore,
  target: string,
  entry: FileEntry,
  owner: Owner,
  signal?: AbortSignal,
): Promise<void> {
  const file = normalizeTreePath(target);
  const tree: Tree = { entries: { [path.basename(file)]: entry } };
  await put(container, store, path.dirname(file), tree, owner, target, signal);
}

// Store bytes and write them as a file (exec output redirected to a path).
export async function putBytes(
  container: Dockerode.Container,
  store: ContentStore,
  target: string,
  content: string,
  owner: Owner,
): Promise<void> {
  const digest = await store.putBytes(content);
  const entry: FileEntry = { type: "file", mode: 0o644, digest, size: Buffer.byteLength(content) };
  await putFile(container, store, target, entry, owner);
}

// One putArchive at the container's root, entries under `prefix`.
async function put(
  container: Dockerode.Container,
  store: ContentStore,
  prefix: string,
  tree: Tree,
  owner: Owner,
  target: string,
  signal?: AbortSignal,
): Promise<void> {
  const tar = packTree(tree, store, { prefix: prefix === "." ? "" : prefix, ...owner });
  // A failing tar (content missing from the store) must end the request, which piping alone never does.
  const tarFailed = new AbortController();
  let tarError: unknown;
  tar.on("error", (err) => {
    tarError = err;
    tarFailed.abort();
  });
  const abortSignal = signal ? AbortSignal.any([signal, tarFailed.signal]) : tarFailed.signal;
  try {
    await container.putArchive(tar, { path: "/", abortSignal });
  } catch (err) {
    tar.destroy();
    if (tarError !== undefined) throw tarError;
    if (signal?.aborted) throw err;
    throw new UnsupportedError(
      `could not write ${target} into the container: ${engineMessage(err)}`,
      {
        cause: err,
        hint: "a file cannot replace a directory (or the reverse) in place: remove the old path first",
      },
    );
  }
}

// The same tree one level down, under a directory entry of its own (for a target that does not exist yet).
export function underRoot(tree: Tree, name: string): Tree {
  const entries: Record<string, TreeEntry> = { [name]: { type: "dir", mode: 0o755 } };
  for (const [key, entry] of Object.entries(tree.entries)) entries[`${name}/${key}`] = entry;
  return { entries };
}
