// The host runtime's snapshots are plain Trees, so file operations are pure edits of a manifest (src/store/tree-ops.ts).
import type { FsOp } from "../runtime.js";
import { withEntryAt, withTreeAt, withoutPath } from "../../store/tree-ops.js";
import type { Tree, TreeEntry } from "../../store/tree.js";

/** Apply put/putFile/rm ops in order, as a container's copy semantics would (a file over a dir replaces it). */
export function applyFsOps(tree: Tree, ops: readonly FsOp[]): Tree {
  let out = tree;
  for (const op of ops) {
    if (op.op === "rm") out = withoutPath(out, op.path);
    else if (op.op === "putFile") out = withEntryAt(out, op.path, op.entry);
    else out = withTreeAt(out, op.path, op.tree);
  }
  return out;
}

/** The tree without anything at or under any of `paths` (tree form, "" meaning everything). */
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
