// Directory and file nodes to content: host trees are hashed, everything else is manifest arithmetic or a runtime read.
import path from "node:path";
import { sha256 } from "../../store/digest.js";
import { stat } from "node:fs/promises";
import type { DirectoryNode, FileNode } from "../nodes.js";
import type { Session } from "../session.js";
import { EMPTY_TREE, normalizeTreePath, type FileEntry, type Tree } from "../../store/tree.js";
import { hashHostDirectory } from "../../store/host-tree.js";
import {
  diffTree,
  getEntry,
  subTree,
  withEntryAt,
  withTreeAt,
  withoutPath,
} from "../../store/tree-ops.js";
import { InternalError, NotFoundError } from "../../errors.js";
import { isStandIn } from "../lazy-snapshots.js";
import { containerPath, containerSnapshot } from "./container.js";
import { emitWarnings, warnMalformedPatterns } from "./pattern-warnings.js";
import { locatePath, mountSourceFile, mountSourceTree } from "./mounts.js";
import { mountOutput } from "./exec.js";
import { timedStep } from "./steps.js";
import { selectTree } from "./select-tree.js";

/** Evaluate a directory node to a Tree, once per node per run. */
export function evaluateDirectory(s: Session, node: DirectoryNode): Promise<Tree> {
  let p = s.memo.get(node) as Promise<Tree> | undefined;
  if (!p) {
    p = computeDirectory(s, node);
    s.memo.set(node, p);
  }
  return p;
}

async function computeDirectory(s: Session, node: DirectoryNode): Promise<Tree> {
  switch (node.op) {
    case "scratch":
      return EMPTY_TREE;
    case "host":
      return hostDirectory(s, node);
    case "withNewFile": {
      const base = await evaluateDirectory(s, node.base);
      const digest = await s.store.putBytes(node.contents);
      const entry: FileEntry = {
        type: "file",
        mode: node.permissions,
        digest,
        size: Buffer.byteLength(node.contents),
      };
      return withEntryAt(base, normalizeTreePath(node.path), entry);
    }
    case "withFile": {
      const [base, file] = await Promise.all([
        evaluateDirectory(s, node.base),
        evaluateFile(s, node.file),
      ]);
      const entry =
        node.permissions === undefined ? file.entry : { ...file.entry, mode: node.permissions };
      const at = node.intoDir ? path.posix.join(node.path, file.name) : node.path;
      return withEntryAt(base, normalizeTreePath(at), entry);
    }
    case "withDirectory": {
      const [base, dir] = await Promise.all([
        evaluateDirectory(s, node.base),
        evaluateDirectory(s, node.dir),
      ]);
      warnMalformedPatterns(s, node, `withDirectory ${node.path}`);
      return withTreeAt(base, normalizeTreePath(node.path), await selectTree(s, dir, node));
    }
    case "withNewDirectory": {
      const base = await evaluateDirectory(s, node.base);
      const p = normalizeTreePath(node.path);
      if (!p) return base;
      return withTreeAt(base, p, EMPTY_TREE);
    }
    case "without": {
      let t = await evaluateDirectory(s, node.base);
      for (const p of node.paths) t = withoutPath(t, normalizeTreePath(p));
      return t;
    }
    case "filter":
      warnMalformedPatterns(s, node, "Directory.filter");
      return selectTree(s, await evaluateDirectory(s, node.base), node);
    case "subdir": {
      const p = normalizeTreePath(node.path);
      const base = await evaluateDirectory(s, node.base);
      return p ? subTree(base, p) : base;
    }
    case "diff": {
      const [a, b] = await Promise.all([
        evaluateDirectory(s, node.base),
        evaluateDirectory(s, node.other),
      ]);
      return diffTree(a, b);
    }
    case "container": {
      const abs = await containerPath(
        s,
        node.container,
        node.path,
        node.container.config.length,
        node.expand,
      );
      const where = await locatePath(s, node.container, abs, "directory");
      if (where.kind === "dir") {
        const tree = await mountSourceTree(s, node.container, where.index);
        return where.rel === "" ? tree : subTreeAt(tree, where.rel, abs);
      }
      const snapshot = await s.lazy.resolve(await containerSnapshot(s, node.container));
      return readCached(s, "read-dir", snapshot, abs, () =>
        s.runtime.readDirectory(snapshot, abs, s.signal),
      );
    }
    case "git": {
      // loaded here: git sources bring the tar reader, which a run without them never needs
      const { gitTree, gitUrl, resolveGitRef } = await import("../sources/git-source.js");
      const url = gitUrl(s, node.url);
      return gitTree(s, url, await resolveGitRef(s, url, node.ref));
    }
    case "execMount": {
      const out = await mountOutput(s, node.exec, node.index);
      if (out.kind !== "dir") throw new TypeError("a file mount's output is not a directory");
      return out.tree;
    }
  }
}

// A directory below a mount's target; a missing one is named with its container path.
function subTreeAt(tree: Tree, rel: string, abs: string): Tree {
  const e = getEntry(tree, rel);
  if (e?.type !== "dir")
    throw new NotFoundError(
      e ? `${abs} is a ${e.type}, not a directory` : `no directory ${abs} in the container`,
      { hint: e ? "use file() to read it" : "check the path; it is inside a mounted directory" },
    );
  return subTree(tree, rel);
}

// Hashing a host tree is the "upload" step users wait on; make it a visible, timed step.
async function hostDirectory(
  s: Session,
  node: Extract<DirectoryNode, { op: "host" }>,
): Promise<Tree> {
  const abs = path.resolve(s.cwd, node.path);
  try {
    const st = await stat(abs);
    if (!st.isDirectory())
      throw new NotFoundError(`host path ${abs} is not a directory`, {
        hint: "pass a directory, or use dag.host().file() for a file",
      });
  } catch (cause) {
    if (cause instanceof NotFoundError) throw cause;
    throw new NotFoundError(`host directory ${abs} does not exist`, {
      cause,
      hint: "check the path (it is relative to the current directory)",
    });
  }
  warnMalformedPatterns(s, node, `host directory ${node.path}`);
  return timedStep(s, { name: `host directory ${node.path}`, kind: "host" }, () =>
    hashHostDirectory(
      abs,
      {
        include: node.include ? [...node.include] : undefined,
        exclude: node.exclude ? [...node.exclude] : undefined,
        gitignore: node.gitignore,
        onWarning: (message) => emitWarnings(s, [message]),
      },
      s.store,
    ),
  );
}

/** Evaluate a file node to its entry and base name. */
export function evaluateFile(
  s: Session,
  node: FileNode,
): Promise<{ entry: FileEntry; name: string }> {
  let p = s.memo.get(node) as Promise<{ entry: FileEntry; name: string }> | undefined;
  if (!p) {
    p = computeFile(s, node);
    s.memo.set(node, p);
  }
  return p;
}

async function computeFile(
  s: Session,
  node: FileNode,
): Promise<{ entry: FileEntry; name: string }> {
  switch (node.op) {
    case "dirFile": {
      const tree = await evaluateDirectory(s, node.dir);
      const p = normalizeTreePath(node.path);
      const entry = getEntry(tree, p);
      if (!entry || entry.type !== "file")
        throw new NotFoundError(`file ${JSON.stringify(node.path)} not found in directory`, {
          hint: "list the directory with entries() to see what it holds",
        });
      return { entry, name: path.posix.basename(p) };
    }
    case "hostFile": {
      const abs = path.resolve(s.cwd, node.path);
      const tree = await hashHostDirectory(
        path.dirname(abs),
        { include: [path.basename(abs)] },
        s.store,
      ).catch((cause: unknown) => {
        throw new NotFoundError(`host file ${abs} does not exist`, { cause });
      });
      const entry = getEntry(tree, path.basename(abs));
      if (!entry || entry.type !== "file")
        throw new NotFoundError(`host file ${abs} does not exist or is not a regular file`);
      return { entry, name: path.basename(abs) };
    }
    case "containerTarball":
      return s.images.tarball(s, node.container);
    case "http": {
      const { httpFile } = await import("../sources/http-source.js");
      return httpFile(s, node.url, { name: node.name, permissions: node.permissions });
    }
    case "execMountFile": {
      const out = await mountOutput(s, node.exec, node.index);
      if (out.kind !== "file") throw new TypeError("a directory mount's output is not a file");
      const m = node.exec.state.mounts[node.index];
      return { entry: out.entry, name: path.posix.basename(m?.target ?? "file") };
    }
    case "containerFile": {
      const abs = await containerPath(
        s,
        node.container,
        node.path,
        node.container.config.length,
        node.expand,
      );
      const where = await locatePath(s, node.container, abs, "file");
      if (where.kind === "file")
        return {
          entry: await mountSourceFile(s, node.container, where.index),
          name: path.posix.basename(abs),
        };
      if (where.kind === "dir") {
        const entry = getEntry(await mountSourceTree(s, node.container, where.index), where.rel);
        if (entry?.type !== "file")
          throw new NotFoundError(
            entry ? `${abs} is a ${entry.type}, not a file` : `no file ${abs} in the container`,
            { hint: "check the path; it is inside a mounted directory" },
          );
        return { entry, name: path.posix.basename(abs) };
      }
      const snapshot = await s.lazy.resolve(await containerSnapshot(s, node.container));
      const tree = await readCached(s, "read-file", snapshot, abs, async () => {
        const entry = await s.runtime.readFile(snapshot, abs, s.signal);
        return { entries: { f: entry } };
      });
      const entry = tree.entries.f as FileEntry;
      return { entry, name: path.posix.basename(abs) };
    }
  }
}

// Reading out of a snapshot costs a container on docker; the answer for (snapshot, path) never changes, so keep it.
// The key names the snapshot itself: a stand-in (lazy-snapshots.ts) names nothing outside its run.
async function readCached(
  s: Session,
  kind: string,
  snapshot: string,
  abs: string,
  read: () => Promise<Tree>,
): Promise<Tree> {
  if (isStandIn(snapshot)) throw new InternalError(`readCached got a stand-in snapshot for ${abs}`);
  const key = `${s.runtime.name}:${snapshot}:${abs}`;
  const rec = await s.store.getRecord<{ tree: string }>(kind, sha256(key));
  if (rec) {
    try {
      const tree = await s.store.loadTree(rec.tree);
      // a file of it damaged (and so removed) means reading it again
      if (await s.store.hasTreeContent(tree)) return tree;
    } catch {
      // fall through: the tree was cleaned away
    }
  }
  const tree = await read();
  await s.store.persistTree(tree);
  const digest = await s.store.saveTree(tree);
  await s.store.putRecord(kind, sha256(key), { tree: digest });
  return tree;
}
