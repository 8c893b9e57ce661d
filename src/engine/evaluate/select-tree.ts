// What withDirectory's and Directory.filter's options keep of a tree: .gitignore files first, then include/exclude.
import type { Session } from "../session.js";
import type { Tree } from "../../store/tree.js";
import { filterTree } from "../../store/tree-ops.js";
import { applyGitignore } from "../../store/gitignore-tree.js";
import { emitWarnings } from "./pattern-warnings.js";

export interface TreeSelection {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Honour the tree's .gitignore files (and leave out `.git`), as `host().directory(…, { gitignore })` does. */
  readonly gitignore?: boolean;
}

/** One place for every site that takes these options, so a container's and a directory's withDirectory agree. */
export async function selectTree(s: Session, tree: Tree, sel: TreeSelection): Promise<Tree> {
  let out = tree;
  // as in the host walk, an ignored path is gone before include/exclude is asked about it
  if (sel.gitignore)
    out = await applyGitignore(out, {
      read: async (entry) => (await s.store.readBlob(entry.digest)).toString("utf8"),
      onWarning: (message) => emitWarnings(s, [message]),
    });
  if (sel.include || sel.exclude)
    out = filterTree(out, {
      include: sel.include ? [...sel.include] : undefined,
      exclude: sel.exclude ? [...sel.exclude] : undefined,
    });
  return out;
}
