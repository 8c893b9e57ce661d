// A Tree is Gantry's value for a directory: a manifest of paths to content digests; contents live in the ContentStore.
import { digestOf } from "./digest.js";

/** A regular file: its content is the blob `digest` in the content store. */
export interface FileEntry {
  readonly type: "file";
  /** Permission bits, e.g. 0o644 or 0o755. */
  readonly mode: number;
  /** `sha256:<hex>` of the contents. */
  readonly digest: string;
  readonly size: number;
}

export interface DirEntry {
  readonly type: "dir";
  readonly mode: number;
}

export interface SymlinkEntry {
  readonly type: "symlink";
  readonly target: string;
}

export type TreeEntry = FileEntry | DirEntry | SymlinkEntry;

/**
 * Paths are relative, POSIX, without a leading "/" or "./", never "" (the root itself is implicit).
 * Every parent directory of an entry is itself present as a "dir" entry.
 */
export interface Tree {
  readonly entries: Readonly<Record<string, TreeEntry>>;
}

export const EMPTY_TREE: Tree = Object.freeze({ entries: Object.freeze({}) });

/** Content digest of a tree: names, modes, link targets and file digests; never times or owners. */
export function treeDigest(tree: Tree): string {
  const keys = Object.keys(tree.entries).sort();
  return digestOf({ tree: keys.map((k) => [k, tree.entries[k]]) });
}

/** Normalise a user path ("./a//b/", "/a/b") to tree form ("a/b"); "" for the root. Rejects "..". */
export function normalizeTreePath(p: string): string {
  const parts: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) throw new TypeError(`path ${JSON.stringify(p)} leaves its directory`);
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.join("/");
}
