// File.export and Directory.export: write a value to a host path the user chose, all or (as far as a
// check beforehand can tell) nothing.
import { randomBytes } from "node:crypto";
import { lstat, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { ExportError } from "../errors.js";
import type { ContentStore } from "./content-store.js";
import { exportWriteError, prepareExportDestination } from "./export-destination.js";
import type { FileEntry, Tree, TreeEntry } from "./tree.js";
import { materializeTree } from "./tree-materialize.js";

/** Write one file to `abs` through a temporary file beside it, so `abs` is never half-written. */
export async function exportFile(
  store: ContentStore,
  entry: FileEntry,
  abs: string,
): Promise<void> {
  await writeThroughTemp(abs, () => store.readBlob(entry.digest), entry.mode);
}

/** Write a result's text (`gantry call -o PATH` on a string, a list, JSON) to `abs`, as exportFile writes a file. */
export async function exportText(abs: string, text: string): Promise<void> {
  await writeThroughTemp(abs, async () => text, 0o644);
}

// The destination checked, then the data written to a temporary file beside it and renamed over it.
async function writeThroughTemp(
  abs: string,
  data: () => Promise<string | Uint8Array>,
  mode: number,
): Promise<void> {
  await prepareExportDestination(abs, "file");
  const tmp = `${abs}.gantry-${randomBytes(6).toString("hex")}`;
  try {
    await writeFile(tmp, await data(), { mode, flag: "wx" });
    await rename(tmp, abs);
  } catch (err) {
    await rm(tmp, { force: true });
    // the temporary file stands for `abs`: the user knows nothing of its name
    throw exportWriteError(abs, err, abs);
  }
}

/** Write a tree into `abs`, merging with what is there (or replacing it with `wipe`). */
export async function exportTree(
  store: ContentStore,
  tree: Tree,
  abs: string,
  opts: { wipe?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const { existed } = await prepareExportDestination(abs, "directory", { wipe: opts.wipe });
  if (existed) await checkTreeFits(tree, abs);
  try {
    await materializeTree(tree, store, abs, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      replace: existed,
    });
  } catch (err) {
    throw exportWriteError(abs, err);
  }
}

// Merging into an existing directory: a directory where the export has a file (or the reverse) is found
// before anything is written, so a failed export does not leave half of itself behind.
async function checkTreeFits(tree: Tree, abs: string): Promise<void> {
  const paths = Object.keys(tree.entries).sort();
  for (let i = 0; i < paths.length; i += 64) {
    const clashes = await Promise.all(
      paths.slice(i, i + 64).map((p) => clash(abs, p, tree.entries[p] as TreeEntry)),
    );
    const first = clashes.find((c) => c !== undefined);
    if (first) {
      throw new ExportError(`cannot export a directory to ${abs}: ${first.what}`, {
        hint: `remove ${path.join(abs, first.path)}, or choose another export path`,
      });
    }
  }
}

// What stands at `p` under `abs` that `entry` cannot replace.
async function clash(
  abs: string,
  p: string,
  entry: TreeEntry,
): Promise<{ path: string; what: string } | undefined> {
  const dest = path.join(abs, p);
  try {
    if (entry.type === "dir") {
      // a symlink to a directory is followed by the writes below it, as `cp -r` would
      if ((await stat(dest)).isDirectory()) return undefined;
      return { path: p, what: `${p} is a file there and a directory in the export` };
    }
    if (!(await lstat(dest)).isDirectory()) return undefined;
    return { path: p, what: `${p} is a directory there and a ${entry.type} in the export` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw exportWriteError(abs, err, dest);
  }
}
