// Both runtimes read a writable mount back after an exec; what another mount hid inside it is not the exec's doing.
import path from "node:path/posix";
import type { MountSpec } from "./runtime.js";
import { normalizeTreePath, type Tree } from "../store/tree.js";
import { getEntry, withEntryAt, withoutPath, withTreeAt, subTree } from "../store/tree-ops.js";

/** Targets of other mounts that sit inside `target`, as paths relative to it ("node_modules"), deepest last. */
export function nestedTargets(target: string, specs: readonly MountSpec[]): string[] {
  const base = normalizeTreePath(target);
  const out: string[] = [];
  for (const m of specs) {
    const t = normalizeTreePath(m.target);
    if (t === base) continue;
    if (base === "" || t.startsWith(base + "/"))
      out.push(base === "" ? t : t.slice(base.length + 1));
  }
  return out.sort((a, b) => a.length - b.length);
}

/**
 * The mount's output as the next step sees it: what was read back, except at nested mount points, where the
 * mount keeps what it held before (the exec saw the nested mount there, never the parent's files; the stub
 * directory an engine made for the mount point is not content).
 */
export function settleMountOutput(read: Tree, before: Tree, nested: readonly string[]): Tree {
  let tree = read;
  for (const rel of nested) {
    tree = withoutPath(tree, rel);
    const old = getEntry(before, rel);
    if (!old || rel === "") continue;
    tree = withEntryAt(tree, rel, old);
    if (old.type === "dir") tree = withTreeAt(tree, rel, subTree(before, rel));
  }
  // Parents an engine created for a mount point stay only where the mount held them before or holds files now.
  for (const rel of nested) {
    if (getEntry(before, rel)) continue;
    for (let p = path.dirname(rel); p !== "."; p = path.dirname(p)) {
      if (getEntry(before, p) || hasChildren(tree, p)) break;
      tree = withoutPath(tree, p);
    }
  }
  return tree;
}

// An engine-made stub parent is dropped only when nothing else lives under it.
function hasChildren(tree: Tree, p: string): boolean {
  const prefix = p + "/";
  return Object.keys(tree.entries).some((k) => k.startsWith(prefix));
}
