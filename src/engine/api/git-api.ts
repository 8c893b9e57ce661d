// The engine's leaves for GitRepository and GitRef: resolving refs and listing them with the host's git.
import type { GitRefSpec } from "../nodes.js";
import { requireSession } from "../session.js";

/** The commit id a ref names (`dag.git(url).branch("main").commit()`). */
export async function gitCommit(url: string, ref: GitRefSpec): Promise<string> {
  const s = requireSession("GitRef.commit");
  const { gitUrl, resolveGitRef } = await import("../sources/git-source.js");
  return resolveGitRef(s, gitUrl(s, url), ref);
}

/** Branch or tag names of a repository, sorted. */
export async function gitRefs(
  url: string,
  kind: "branch" | "tag",
  patterns: readonly string[],
): Promise<string[]> {
  const s = requireSession(kind === "branch" ? "GitRepository.branches" : "GitRepository.tags");
  const { gitRefNames, gitUrl } = await import("../sources/git-source.js");
  return gitRefNames(s, gitUrl(s, url), kind, patterns);
}
