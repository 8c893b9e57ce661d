// The project's git revision and remote URL, for the vcs.* span attributes and the report; credentials never leave.
import { execFile } from "node:child_process";

export interface GitInfo {
  revision?: string;
  repositoryUrl?: string;
}

// One git command in the project folder; undefined when git is missing or the folder is not a checkout.
function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, timeout: 5000 }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim() || undefined),
    );
  });
}

/** `https://user:token@host/x.git` → `https://host/x.git`; an scp-like `git@host:x.git` stays as is. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return url;
  }
}

/** HEAD's commit and the `origin` remote (credentials removed), as far as git can tell. */
export async function readGitInfo(cwd: string): Promise<GitInfo> {
  const [revision, url] = await Promise.all([
    git(cwd, ["rev-parse", "HEAD"]),
    git(cwd, ["remote", "get-url", "origin"]),
  ]);
  const info: GitInfo = {};
  if (revision && /^[0-9a-f]{40,64}$/.test(revision)) info.revision = revision;
  if (url) info.repositoryUrl = withoutCredentials(url);
  return info;
}
