// The engine's leaves for GitRepository and GitRef: resolving refs and listing them with the host's git.
import type { GitRefSpec } from "../nodes.js";
import { requireSession } from "../session.js";
import { gitRefNames, gitUrl, resolveGitRef } from "../sources/git-source.js";

/** The commit id a ref names (`dag.git(url).branch("main").commit()`). */
export async function gitCommit(url: string, ref: GitRefSpec): Promise<string> {
  const s = requireSession("GitRef.commit");
  return resolveGitRef(s, gitUrl(s, url), ref);
}

/** Branch or tag names of a repository, sorted. */
export async function gitRefs(
  url: string,
  kind: "branch" | "tag",
  patterns: readonly string[],
): Promise<string[]> {
  const s = requireSession(kind === "branch" ? "GitRepository.branches" : "GitRepository.tags");
  return gitRefNames(s, gitUrl(s, url), kind, patterns);
}
