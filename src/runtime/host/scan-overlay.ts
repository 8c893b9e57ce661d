// After an exec over an overlay, its result is the lower tree with the upper directory's changes applied: new and
// changed entries, whiteouts (deleted), and opaque directories (removed and made again: nothing of the lower below).
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import type { ContentStore } from "../../store/content-store.js";
import type { Tree, TreeEntry } from "../../store/tree.js";
import { hashInto } from "./scan-upper.js";

export interface OverlayScanOptions {
  /** Tree paths not to read (mount points); their subtrees are not entered. */
  skip?: (treePath: string) => boolean;
  /** Of these lower paths, the indexes the finished overlay hides (see hiddenInOverlay). */
  hidden: (paths: string[]) => Promise<Set<number>>;
  concurrency?: number;
}

/** Walking uses sync syscalls and yields to the event loop this often (as scan-upper.ts). */
const YIELD_EVERY = 1000;

/** The exec's resulting tree; every regular file in the upper was written (or copied up) by the exec, so it is hashed. */
export async function scanOverlayUpper(
  upper: string,
  lower: Tree,
  store: ContentStore,
  opts: OverlayScanOptions,
): Promise<Tree> {
  const entries: Record<string, TreeEntry> = {};
  // what lies at or below a skipped path (a mount target that is also the workdir) is not read, as in a full scan
  for (const [p, e] of Object.entries(lower.entries))
    if (!skippedAtOrAbove(p, opts.skip)) entries[p] = e;
  const children = childIndex(lower);
  const fromUpper = new Set<string>();
  const toHash: [string, number][] = [];
  /** A lower directory kept by the upper, and one lower child the upper says nothing about (to ask whether shown). */
  const maybeOpaque: [dir: string, probe: string][] = [];

  /** Every lower entry below `p` that the upper did not write is gone. */
  const dropLowerBelow = (p: string): void => {
    for (const name of children.get(p) ?? []) {
      const c = `${p}/${name}`;
      if (!fromUpper.has(c)) delete entries[c];
      dropLowerBelow(c);
    }
  };

  const pending = [""];
  let sinceYield = 0;
  for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
    const names = readdirSync(path.join(upper, rel));
    if (rel !== "" && lower.entries[rel]?.type === "dir") {
      const here = new Set(names);
      const untouched = (children.get(rel) ?? []).find((n) => !here.has(n));
      if (untouched !== undefined) maybeOpaque.push([rel, `${rel}/${untouched}`]);
    }
    for (const name of names) {
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const p = rel === "" ? name : `${rel}/${name}`;
      if (opts.skip?.(p)) continue;
      const abs = path.join(upper, p);
      const st = lstatSync(abs);
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        if (lower.entries[p]?.type !== "dir") dropLowerBelow(p);
        entries[p] = { type: "dir", mode };
        fromUpper.add(p);
        pending.push(p);
        continue;
      }
      dropLowerBelow(p);
      if (st.isSymbolicLink()) {
        entries[p] = { type: "symlink", target: readlinkSync(abs) };
        fromUpper.add(p);
      } else if (st.isFile()) {
        toHash.push([p, mode]);
        fromUpper.add(p);
      } else {
        // a whiteout (character device 0/0), or a socket, fifo or device, which a tree leaves out: either way the
        // lower entry is not there any more
        delete entries[p];
      }
    }
  }

  if (maybeOpaque.length > 0) {
    const hidden = await opts.hidden(maybeOpaque.map(([, probe]) => probe));
    for (const [i, [dir]] of maybeOpaque.entries()) if (hidden.has(i)) dropLowerBelow(dir);
  }

  await hashInto(entries, upper, toHash, store, opts.concurrency);
  return { entries };
}

/** Whether `p` or one of its parents is skipped. */
function skippedAtOrAbove(p: string, skip: ((treePath: string) => boolean) | undefined): boolean {
  if (!skip) return false;
  for (let q = p; ;) {
    if (skip(q)) return true;
    const slash = q.lastIndexOf("/");
    if (slash < 0) return false;
    q = q.slice(0, slash);
  }
}

/** Each directory's children by name ("" for the root), from a tree's flat paths. */
function childIndex(tree: Tree): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const p of Object.keys(tree.entries)) {
    const slash = p.lastIndexOf("/");
    const parent = slash < 0 ? "" : p.slice(0, slash);
    const list = index.get(parent);
    if (list) list.push(p.slice(slash + 1));
    else index.set(parent, [p.slice(slash + 1)]);
  }
  return index;
}
