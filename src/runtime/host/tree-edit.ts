// The host runtime's snapshots are plain Trees, so file operations are pure edits of a manifest.
// Private to the host runtime until src/store/tree-ops.ts offers the same edits.
import type { FsOp } from "../runtime.js";
import { normalizeTreePath, type Tree, type TreeEntry } from "../../store/tree.js";

const NEW_DIR: TreeEntry = Object.freeze({ type: "dir", mode: 0o755 });

/** Apply put/putFile/rm ops in order, as a container's copy semantics would (a file over a dir replaces it). */
export function applyFsOps(tree: Tree, ops: readonly FsOp[]): Tree {
  if (ops.length === 0) return tree;
  const m = new Map(Object.entries(tree.entries));
  for (const op of ops) {
    const p = normalizeTreePath(op.path);
    if (op.op === "rm") {
      if (p === "") m.clear();
      else removeAt(m, p);
    } else if (op.op === "putFile") {
      if (p === "") throw new TypeError(`putFile needs a file path, got ${JSON.stringify(op.path)}`);
      setEntry(m, p, op.entry);
    } else {
      if (p !== "" && m.get(p)?.type !== "dir") setEntry(m, p, NEW_DIR);
      for (const k of Object.keys(op.tree.entries).sort()) {
        setEntry(m, p === "" ? k : `${p}/${k}`, op.tree.entries[k] as TreeEntry);
      }
    }
  }
  return { entries: Object.fromEntries(m) };
}

/** The entry at `p` ("" is the root, always a directory). */
export function getEntry(tree: Tree, p: string): TreeEntry | undefined {
  return p === "" ? NEW_DIR : tree.entries[p];
}

/** The entries under directory `p`, re-rooted at it. */
export function subTree(tree: Tree, p: string): Tree {
  if (p === "") return tree;
  const prefix = p + "/";
  const out: Record<string, TreeEntry> = {};
  for (const [k, e] of Object.entries(tree.entries)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = e;
  return { entries: out };
}

/** The tree without anything at or under any of `paths`. */
export function withoutPaths(tree: Tree, paths: readonly string[]): Tree {
  if (paths.length === 0) return tree;
  const out: Record<string, TreeEntry> = {};
  for (const [k, e] of Object.entries(tree.entries)) if (!isAtOrUnder(k, paths)) out[k] = e;
  return { entries: out };
}

/** Whether tree path `p` equals or lies below one of `roots` ("" covers everything). */
export function isAtOrUnder(p: string, roots: readonly string[]): boolean {
  return roots.some((r) => r === "" || p === r || p.startsWith(r + "/"));
}

/** Set an entry, making its parents directories and dropping whatever it replaces. */
function setEntry(m: Map<string, TreeEntry>, p: string, entry: TreeEntry): void {
  const parts = p.split("/");
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join("/");
    const cur = m.get(parent);
    if (cur?.type !== "dir") m.set(parent, NEW_DIR);
  }
  const existing = m.get(p);
  if (existing?.type === "dir" && entry.type !== "dir") removeAt(m, p);
  m.set(p, entry);
}

/** Remove `p` and everything below it. */
function removeAt(m: Map<string, TreeEntry>, p: string): void {
  m.delete(p);
  const prefix = p + "/";
  for (const k of m.keys()) if (k.startsWith(prefix)) m.delete(k);
}
