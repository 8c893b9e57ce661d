// The upper tree before and after an exec: ops checked against what the host can write, and the scan cleaned of sandbox traces.
import { lstat } from "node:fs/promises";
import path from "node:path";
import { UnsupportedError } from "../../errors.js";
import type { FsOp, MountSpec } from "../runtime.js";
import type { ContentStore } from "../../store/content-store.js";
import type { Tree, TreeEntry } from "../../store/tree.js";
import { assertWritable, treePathOf, type SystemView } from "./system-view.js";
import { applyFsOps, isAtOrUnder } from "./tree-edit.js";

/** Apply ops to a snapshot's tree, refusing any that would need to write (or delete) in the host's system. */
export async function applyOpsChecked(
  base: Tree,
  ops: readonly FsOp[],
  view: SystemView,
  step: string,
): Promise<Tree> {
  for (const op of ops) {
    const p = treePathOf(op.path);
    if (op.op !== "rm") {
      assertWritable(view, "/" + p, `step: ${step}`);
      continue;
    }
    // Removing what only the host has cannot be done; removing what does not exist anywhere is a no-op.
    if (p !== "" && isAtOrUnder(p, view.reserved) && (await lstat("/" + p).catch(() => undefined)))
      throw new UnsupportedError(
        `host runtime cannot remove /${p} (step: ${step}): it belongs to the host's own read-only system; ` +
          `leave it in place, or run with --runtime=docker`,
      );
  }
  const tree = applyFsOps(base, ops);
  assertTreeWritable(tree, view, step);
  return tree;
}

/** Every path of the tree must be writable; the message names the deepest one that is not (a file, not "usr"). */
export function assertTreeWritable(tree: Tree, view: SystemView, step: string): void {
  const bad = Object.keys(tree.entries).filter((p) => isAtOrUnder(p, view.reserved));
  const deepest = bad.sort((a, b) => b.split("/").length - a.split("/").length)[0];
  if (deepest !== undefined) assertWritable(view, "/" + deepest, `step: ${step}`);
}

/** Mount targets and redirect files must land where the host runtime can put them. */
export function assertPlacesWritable(
  mounts: readonly MountSpec[],
  redirects: readonly (string | undefined)[],
  view: SystemView,
  step: string,
): void {
  for (const m of mounts) {
    if (treePathOf(m.target) === "")
      throw new UnsupportedError(
        `host runtime cannot mount over / (step: ${step}): mount at a sub-directory`,
      );
    assertWritable(view, m.target, `${m.kind} mount, step: ${step}`);
  }
  for (const r of redirects)
    if (r !== undefined) assertWritable(view, r, `output redirect, step: ${step}`);
}

export interface FinishInput {
  /** What the scan of the upper directory found. */
  scanned: Tree;
  /** The tree the exec started from (ops applied), including what mounts hid. */
  before: Tree;
  /** Tree paths of the exec's mount targets. */
  mountTargets: readonly string[];
  /** Tree paths created only as places for mounts (mount points, their parents, an empty HOME or /tmp). */
  scaffolding: readonly string[];
}

/** The exec's resulting tree: mounts restored to what they hid, scaffolding dropped when the exec left it empty. */
export function finishTree(input: FinishInput): Tree {
  const out: Record<string, TreeEntry> = { ...input.scanned.entries };
  for (const p of [...input.scaffolding].sort((a, b) => b.length - a.length)) {
    if (input.before.entries[p] || out[p]?.type !== "dir") continue;
    const prefix = p + "/";
    if (!Object.keys(out).some((k) => k.startsWith(prefix))) delete out[p];
  }
  for (const [k, e] of Object.entries(input.before.entries)) {
    if (!isAtOrUnder(k, input.mountTargets)) continue;
    for (let d = path.posix.dirname(k); d !== "." && !out[d]; d = path.posix.dirname(d))
      out[d] = { type: "dir", mode: 0o755 };
    out[k] = e;
  }
  return { entries: out };
}

/** What an exec may create only to hold mount points or defaults: each path and its missing parents, but never the workdir or its parents. */
export function scaffoldingFor(paths: readonly string[], before: Tree, workdir: string): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    for (let d = p; d !== "." && d !== ""; d = path.posix.dirname(d))
      if (!before.entries[d]) out.add(d);
  }
  return [...out].filter((d) => workdir !== d && !workdir.startsWith(d + "/"));
}

/** redirectStdout/redirectStderr become files of the result (paths resolved against the workdir), as if written by the process. */
export async function addRedirects(
  tree: Tree,
  redirects: readonly (readonly [target: string | undefined, text: string])[],
  store: ContentStore,
): Promise<Tree> {
  const ops: FsOp[] = [];
  for (const [target, text] of redirects) {
    if (target === undefined) continue;
    const digest = await store.putBytes(text);
    ops.push({
      op: "putFile",
      path: target,
      entry: { type: "file", mode: 0o644, digest, size: Buffer.byteLength(text) },
    });
  }
  return applyFsOps(tree, ops);
}
