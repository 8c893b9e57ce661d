// Mounts as Dagger has them: a write below a mount goes into it, and reading a path looks inside the mount first.
import path from "node:path/posix";
import type { ContainerFsOp, ContainerState, MountNode } from "../nodes.js";
import type { Session } from "../session.js";
import { NotFoundError, UsageError } from "../../errors.js";
import { normalizeTreePath, type FileEntry, type Tree } from "../../store/tree.js";
import { withEntryAt, withTreeAt, withoutPath } from "../../store/tree-ops.js";
import { containerPath } from "./container.js";
import { evaluateDirectory, evaluateFile } from "./directory.js";
import { newFileEntry } from "./new-file.js";
import { selectTree } from "./select-tree.js";

/** Where each pending file op of a state lands: the root filesystem, a mount's source, or nowhere. */
export interface OpRouting {
  readonly op: ContainerFsOp;
  readonly abs: string;
  /** Index into the state's mounts; undefined for the root filesystem. */
  readonly mount?: number;
  /** The op wrote into a mount that was replaced or removed since: Dagger drops the write with the mount. */
  readonly dropped?: boolean;
}

/** The absolute target of a mount, resolved against the workdir in force when it was mounted. */
export function mountTarget(s: Session, state: ContainerState, m: MountNode): Promise<string> {
  return containerPath(s, state, m.target, m.configAt, m.expand);
}

/** True when `abs` is `target` or below it. */
function isWithin(abs: string, target: string): boolean {
  return abs === target || target === "/" || abs.startsWith(target + "/");
}

/** The deepest of `mounts` holding `abs`, with the path relative to its target. */
async function deepestMount(
  s: Session,
  state: ContainerState,
  mounts: readonly MountNode[],
  abs: string,
): Promise<{ mount: MountNode; target: string; rel: string } | undefined> {
  let best: { mount: MountNode; target: string; rel: string } | undefined;
  for (const m of mounts) {
    const target = await mountTarget(s, state, m);
    if (!isWithin(abs, target) || (best && best.target.length >= target.length)) continue;
    best = { mount: m, target, rel: normalizeTreePath(path.relative(target, abs)) };
  }
  return best;
}

/** Route a state's pending file ops (once per state per run). */
export function routeOps(s: Session, state: ContainerState): Promise<OpRouting[]> {
  let p = s.memo.get(state) as Promise<OpRouting[]> | undefined;
  if (!p) {
    p = Promise.all(
      state.ops.map(async (op): Promise<OpRouting> => {
        const abs = await containerPath(s, state, op.path, op.configAt, op.expand);
        const hit = op.mounts?.length ? await deepestMount(s, state, op.mounts, abs) : undefined;
        if (!hit) return { op, abs };
        if (!writable(hit.mount)) throw belowUnwritableMount(op.op, abs, hit);
        const index = state.mounts.indexOf(hit.mount);
        return index < 0 ? { op, abs, dropped: true } : { op, abs, mount: index };
      }),
    );
    s.memo.set(state, p);
  }
  return p;
}

// Only directory and file mounts have a source a write can go into.
function writable(m: MountNode): boolean {
  return m.kind === "dir" || m.kind === "file";
}

// A write below a cache, tmpfs or secret mount would land in the root filesystem, hidden by the mount at every exec:
// Dagger refuses it (its locatePath), and so does Gantry, naming the path and the mount.
function belowUnwritableMount(
  op: ContainerFsOp["op"],
  abs: string,
  hit: { mount: MountNode; target: string },
): UsageError {
  const kind = { cache: "a cache volume", tmp: "a tmpfs", secret: "a secret" }[
    hit.mount.kind as "cache" | "tmp" | "secret"
  ];
  const verb = op === "rm" ? "remove" : "write";
  return new UsageError(
    `cannot ${verb} ${abs}: ${hit.target} is ${kind} mount, whose contents are not part of the container (as in Dagger)`,
    {
      hint:
        hit.mount.kind === "cache"
          ? "change the cache's contents from a withExec (cp, rm) instead, or write to a path outside the mount"
          : "write to a path outside the mount, or add the file before mounting",
    },
  );
}

/** A directory mount's source as the next exec sees it: its directory plus the writes routed into it. */
export async function mountSourceTree(
  s: Session,
  state: ContainerState,
  index: number,
): Promise<Tree> {
  const m = state.mounts[index];
  if (m?.kind !== "dir") throw new TypeError(`mount ${index} is not a directory mount`);
  const target = await mountTarget(s, state, m);
  let tree = await evaluateDirectory(s, m.dir);
  for (const r of await routeOps(s, state)) {
    if (r.mount !== index) continue;
    tree = await applyToTree(s, tree, r.op, normalizeTreePath(path.relative(target, r.abs)));
  }
  return tree;
}

/** A file mount's source as the next exec sees it: the file, or what a later withFile/withNewFile put there. */
export async function mountSourceFile(
  s: Session,
  state: ContainerState,
  index: number,
): Promise<FileEntry> {
  const m = state.mounts[index];
  if (m?.kind !== "file") throw new TypeError(`mount ${index} is not a file mount`);
  let entry = (await evaluateFile(s, m.file)).entry;
  for (const r of await routeOps(s, state)) {
    if (r.mount !== index) continue;
    if (r.op.op === "file") {
      const f = (await evaluateFile(s, r.op.file)).entry;
      entry = r.op.permissions === undefined ? f : { ...f, mode: r.op.permissions };
    } else if (r.op.op === "newFile") {
      entry = await newFileEntry(s, r.op.contents, r.op.permissions);
    } else {
      throw new UsageError(
        `${r.op.op === "rm" ? "withoutFile" : "withDirectory"} ${r.abs}: the path is a mounted file`,
        { hint: "remove the mount first with withoutMount, or write the file with withFile" },
      );
    }
  }
  return entry;
}

// One routed op applied to a mount's tree: the same arithmetic Directory's with* methods do.
async function applyToTree(s: Session, tree: Tree, op: ContainerFsOp, rel: string): Promise<Tree> {
  switch (op.op) {
    case "dir": {
      return withTreeAt(tree, rel, await selectTree(s, await evaluateDirectory(s, op.dir), op));
    }
    case "file": {
      const f = (await evaluateFile(s, op.file)).entry;
      return withEntryAt(
        tree,
        rel,
        op.permissions === undefined ? f : { ...f, mode: op.permissions },
      );
    }
    case "newFile":
      return withEntryAt(tree, rel, await newFileEntry(s, op.contents, op.permissions));
    case "rm":
      return withoutPath(tree, rel);
  }
}

/** What reading `abs` of a container finds: the root filesystem, or a directory/file mount (Dagger's locatePath). */
export type Located =
  | { kind: "root" }
  | { kind: "dir"; index: number; rel: string }
  | { kind: "file"; index: number; rel: string };

/** Find the mount holding `abs`; cache, tmpfs and secret mounts cannot be read and say so. */
export async function locatePath(
  s: Session,
  state: ContainerState,
  abs: string,
  what: "directory" | "file",
): Promise<Located> {
  const hit = await deepestMount(s, state, state.mounts, abs);
  if (!hit) return { kind: "root" };
  const index = state.mounts.indexOf(hit.mount);
  switch (hit.mount.kind) {
    case "dir":
      return { kind: "dir", index, rel: hit.rel };
    case "file":
      if (hit.rel !== "" || what === "directory")
        throw new NotFoundError(
          `${abs} is ${hit.rel === "" ? "a mounted file, not a directory" : `below the mounted file ${hit.target}`}`,
          { hint: `read it with file(${JSON.stringify(hit.target)})` },
        );
      return { kind: "file", index, rel: "" };
    default: {
      const kind = { cache: "a cache volume", tmp: "a tmpfs", secret: "a secret" }[hit.mount.kind];
      throw new UsageError(
        `cannot read ${abs} from the container: ${hit.target} is ${kind} mount, whose contents are not part of the container (as in Dagger)`,
        {
          hint:
            hit.mount.kind === "cache"
              ? "copy what you need out of the cache into another path in the same withExec (cp -r), then read that path"
              : "write what you need to another path in the same withExec, then read that path",
        },
      );
    }
  }
}
