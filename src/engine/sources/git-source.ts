// dag.git(url): repositories are fetched with the host's git into a mirror in the store, and a commit's files
// become a Tree with `git archive`. Decision: git runs on the host (no image needed, the store is here).
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Session } from "../session.js";
import { sha256 } from "../../store/digest.js";
import type { Tree } from "../../store/tree.js";
import { unpackTar } from "../../store/tree-tar.js";
import {
  archiveCommit,
  fetchCommit,
  fetchMirror,
  mirrorDir,
  refNames,
  revParse,
  shownUrl,
} from "../../store/git-mirror.js";
import { NotFoundError } from "../../errors.js";
import type { GitRefSpec } from "../nodes.js";
import { timedStep } from "../evaluate/steps.js";

export { shownUrl };

/** A URL as git is given it: a local path becomes a file:// URL against the run's cwd. */
export function gitUrl(s: Session, url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\s]+@[^:\s]+:/.test(url)) return url;
  return pathToFileURL(path.resolve(s.cwd, url)).href;
}

/** The mirror of `url` in the store, fetched once per run (all branches, tags and HEAD). */
async function mirror(s: Session, url: string): Promise<string> {
  const dir = mirrorDir(path.join(s.store.root, "git"), url);
  await s.once(`git-fetch:${url}`, () =>
    timedStep(s, { name: `git fetch ${shownUrl(url)}`, kind: "host" }, () => fetchMirror(dir, url)),
  );
  return dir;
}

/** The full commit id a ref names in the repository at `url`. */
export async function resolveGitRef(s: Session, url: string, ref: GitRefSpec): Promise<string> {
  const dir = await mirror(s, url);
  const candidates =
    ref.kind === "head"
      ? ["refs/gantry/HEAD"]
      : ref.kind === "branch"
        ? [`refs/heads/${ref.name}`]
        : ref.kind === "tag"
          ? [`refs/tags/${ref.name}`]
          : ref.kind === "commit"
            ? [ref.name]
            : [ref.name, `refs/heads/${ref.name}`, `refs/tags/${ref.name}`];
  const found = await revParse(dir, candidates);
  if (found) return found;
  if (ref.kind === "commit" && (await fetchCommit(dir, url, ref.name)))
    return (await revParse(dir, [ref.name])) as string;
  throw new NotFoundError(
    `git repository ${shownUrl(url)} has no ${ref.kind === "head" ? "HEAD" : `${ref.kind} ${JSON.stringify(ref.name)}`}`,
    { hint: "list what it has with dag.git(url).branches() or .tags()" },
  );
}

/** The files of a commit (no .git, submodules left out), once per commit: a commit's tree never changes. */
export async function gitTree(s: Session, url: string, commit: string): Promise<Tree> {
  const key = sha256(`git-tree:${commit}`);
  const rec = await s.store.getRecord<{ tree: string }>("git-tree", key);
  if (rec) {
    const tree = await s.store.loadTree(rec.tree).catch(() => undefined);
    if (tree) return tree;
  }
  const dir = await mirror(s, url);
  const tree = await timedStep(
    s,
    { name: `git checkout ${shownUrl(url)}@${commit.slice(0, 12)}`, kind: "host" },
    () => unpackTar(archiveCommit(dir, commit), s.store),
  );
  await s.store.putRecord("git-tree", key, { tree: await s.store.saveTree(tree) });
  return tree;
}

/** Branch or tag names of the repository, sorted. */
export async function gitRefNames(
  s: Session,
  url: string,
  kind: "branch" | "tag",
  patterns: readonly string[] = [],
): Promise<string[]> {
  return refNames(await mirror(s, url), kind, patterns);
}
