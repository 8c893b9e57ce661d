// The engine's leaves for Directory and File: each evaluator of the SDK's Directory and File is one call here.
import path from "node:path";
import type { DirectoryNode, FileNode } from "../nodes.js";
import { requireSession } from "../session.js";
import { evaluateDirectory, evaluateFile } from "../evaluate/directory.js";
import { digestOf } from "../../store/digest.js";
import { treeDigest } from "../../store/tree.js";
import { getEntry, globTree, listEntries } from "../../store/tree-ops.js";
import { stopIfDryRun } from "../evaluate/steps.js";

/** Names directly under `p` ("" is the root), sorted. */
export async function directoryEntries(
  node: DirectoryNode,
  p: string,
  opts: { markDirs?: boolean } = {},
): Promise<string[]> {
  const s = requireSession("Directory.entries");
  const tree = await evaluateDirectory(s, node);
  const names = listEntries(tree, p);
  if (!opts.markDirs) return names;
  const prefix = p.replace(/^\/+|\/+$/g, "");
  return names.map((n) =>
    getEntry(tree, prefix ? `${prefix}/${n}` : n)?.type === "dir" ? `${n}/` : n,
  );
}

/** Whether `p` exists in the directory, optionally as a given Dagger ExistsType. */
export async function directoryExists(
  node: DirectoryNode,
  p: string,
  expectedType?: string,
): Promise<boolean> {
  const entry = getEntry(await evaluateDirectory(requireSession("Directory.exists"), node), p);
  if (!entry) return false;
  const want = { DIRECTORY_TYPE: "dir", REGULAR_TYPE: "file", SYMLINK_TYPE: "symlink" }[
    expectedType ?? ""
  ];
  return want === undefined || entry.type === want;
}

/** Paths matching a glob pattern. */
export async function directoryGlob(node: DirectoryNode, pattern: string): Promise<string[]> {
  const s = requireSession("Directory.glob");
  return globTree(await evaluateDirectory(s, node), pattern);
}

/** Content digest of the whole tree, stable across runs and machines. */
export async function directoryDigest(node: DirectoryNode): Promise<string> {
  const s = requireSession("Directory.digest");
  return treeDigest(await evaluateDirectory(s, node));
}

/** Evaluate the directory (running what it comes from). */
export async function syncDirectory(node: DirectoryNode): Promise<void> {
  await evaluateDirectory(requireSession("Directory.sync"), node);
}

/** Write the directory's contents into a host path (merging, or replacing with `wipe`); the absolute path. */
export async function exportDirectory(
  node: DirectoryNode,
  dest: string,
  opts: { wipe?: boolean },
): Promise<string> {
  const s = requireSession("Directory.export");
  const tree = await evaluateDirectory(s, node);
  const abs = path.resolve(s.cwd, dest);
  stopIfDryRun(s, { name: `export ${dest}`, kind: "export" });
  const { exportTree } = await import("../../store/host-export.js");
  await exportTree(s.store, tree, abs, { wipe: opts.wipe, signal: s.signal });
  return abs;
}

/** The file's contents as UTF-8 text. */
export async function fileContents(node: FileNode): Promise<string> {
  const s = requireSession("File.contents");
  const { entry } = await evaluateFile(s, node);
  return (await s.store.readBlob(entry.digest)).toString("utf8");
}

export async function fileSize(node: FileNode): Promise<number> {
  return (await evaluateFile(requireSession("File.size"), node)).entry.size;
}

export async function fileName(node: FileNode): Promise<string> {
  return (await evaluateFile(requireSession("File.name"), node)).name;
}

/** Content digest (contents and mode), stable across runs. */
export async function fileDigest(node: FileNode): Promise<string> {
  const { entry } = await evaluateFile(requireSession("File.digest"), node);
  return digestOf({ file: entry.digest, mode: entry.mode });
}

/** Write the file to a host path (relative to the run's directory); the absolute path. */
export async function exportFile(node: FileNode, dest: string): Promise<string> {
  const s = requireSession("File.export");
  const { entry } = await evaluateFile(s, node);
  const abs = path.resolve(s.cwd, dest);
  stopIfDryRun(s, { name: `export ${dest}`, kind: "export" });
  const { exportFile: writeExportedFile } = await import("../../store/host-export.js");
  await writeExportedFile(s.store, entry, abs);
  return abs;
}
