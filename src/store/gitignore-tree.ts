// .gitignore files applied to a Tree (Directory.filter / withDirectory with `gitignore: true`), as the host walk does.
import path from "node:path/posix";
import { GitignoreRules } from "./gitignore.js";
import type { FileEntry, Tree } from "./tree.js";

export interface GitignoreTreeOptions {
  /** The text of a .gitignore file of the tree. */
  read(entry: FileEntry): Promise<string>;
  /** Told about each malformed pattern (the filter goes on, as git does). */
  onWarning?: (message: string) => void;
}

/**
 * The tree without what its .gitignore files ignore, and without `.git`, with hashHostDirectory's semantics: deeper
 * files win, an ignored directory hides everything below it (a .gitignore inside it included). Only files inside the
 * tree count: a tree has no repository above it.
 */
export async function applyGitignore(tree: Tree, opts: GitignoreTreeOptions): Promise<Tree> {
  const texts = new Map<string, string>();
  await Promise.all(
    Object.entries(tree.entries).map(async ([key, entry]) => {
      if (entry.type === "file" && path.basename(key) === ".gitignore")
        texts.set(dirOf(key), await opts.read(entry));
    }),
  );
  const keys = Object.keys(tree.entries);
  if (texts.size === 0 && !keys.some((k) => path.basename(k) === ".git")) return tree;
  const rules = new Map<string, GitignoreRules>();
  const rulesOf = (dir: string): GitignoreRules => {
    let r = rules.get(dir);
    if (!r) {
      r = dir === "" ? GitignoreRules.none(opts.onWarning) : rulesOf(dirOf(dir));
      const text = texts.get(dir);
      if (text !== undefined)
        r = r.withFile(dir, text, dir === "" ? ".gitignore" : `${dir}/.gitignore`);
      rules.set(dir, r);
    }
    return r;
  };
  const dropped = new Map<string, boolean>();
  // a parent is a directory even where the tree holds no entry for it
  const isDropped = (key: string, isDir: boolean): boolean => {
    let d = dropped.get(key);
    if (d === undefined) {
      const parent = dirOf(key);
      d =
        (parent !== "" && isDropped(parent, true)) ||
        path.basename(key) === ".git" ||
        rulesOf(parent).ignores(key, isDir);
      dropped.set(key, d);
    }
    return d;
  };
  const kept = keys.filter((k) => !isDropped(k, tree.entries[k]?.type === "dir"));
  return { entries: Object.fromEntries(kept.map((k) => [k, tree.entries[k]!])) };
}

// "a/b/c" → "a/b"; a top-level name → "".
function dirOf(key: string): string {
  const d = path.dirname(key);
  return d === "." ? "" : d;
}
