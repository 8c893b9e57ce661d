// A created container shows docker's "init layer" over the image: placeholders a snapshot read must not report.
import type { Tree, TreeEntry } from "../../../store/tree.js";

/**
 * Paths docker puts in every container (not in the image). The files shadow the image's own copies,
 * so their real contents cannot be read through a container at all.
 */
const PLACEHOLDERS: Record<string, (entry: TreeEntry) => boolean> = {
  ".dockerenv": isEmptyFile,
  "etc/hosts": isEmptyFile,
  "etc/hostname": isEmptyFile,
  "etc/resolv.conf": isEmptyFile,
  "etc/mtab": (e) => e.type === "symlink" && e.target === "/proc/mounts",
  "dev/console": isEmptyFile,
  "dev/pts": (e) => e.type === "dir",
  "dev/shm": (e) => e.type === "dir",
};

/** Directories docker creates for its mounts; dropped when nothing of the image is in them. */
const MOUNT_DIRS = ["dev", "proc", "sys", "etc"];

/** Files whose image contents the init layer hides; reading one would silently give an empty file. */
export const SHADOWED_FILES = new Set(["etc/hosts", "etc/hostname", "etc/resolv.conf"]);

// Drop the init layer's placeholders from a tree read at `dir` (tree form, "" for the root).
export function withoutInitLayer(tree: Tree, dir: string): Tree {
  const entries: Record<string, TreeEntry> = { ...tree.entries };
  for (const [fullPath, isPlaceholder] of Object.entries(PLACEHOLDERS)) {
    const key =
      dir === ""
        ? fullPath
        : fullPath.startsWith(dir + "/")
          ? fullPath.slice(dir.length + 1)
          : undefined;
    const entry = key === undefined ? undefined : entries[key];
    if (key === undefined || !entry || !isPlaceholder(entry)) continue;
    if (entry.type === "dir" && Object.keys(entries).some((k) => k.startsWith(key + "/"))) continue;
    delete entries[key];
  }
  if (dir === "") {
    for (const key of MOUNT_DIRS) {
      const entry = entries[key];
      if (entry?.type === "dir" && !Object.keys(entries).some((k) => k.startsWith(key + "/")))
        delete entries[key];
    }
  }
  return { entries };
}

// Docker's placeholders are empty files; an image's own file at the same path (shadowed anyway) may not be.
function isEmptyFile(entry: TreeEntry): boolean {
  return entry.type === "file" && entry.size === 0;
}
