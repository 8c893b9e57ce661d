// Bare mirrors of git repositories, driven with the host's git: what dag.git() and module dependencies on git
// repositories both read from. No run state here; callers decide when to fetch.
import { execFile, spawn } from "node:child_process";
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { digestHex, sha256 } from "./digest.js";
import { NotFoundError, UnsupportedError } from "../errors.js";

/** The URL with any user:password removed, for messages and step names. */
export function shownUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

// Never ask for a password on the terminal: a run must fail rather than hang.
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", LC_ALL: "C" };
}

/** Run git; its own last lines of error (without credentials) become the message. */
export function git(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, env: gitEnv() },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if ((err as NodeJS.ErrnoException).code === "ENOENT")
          return reject(
            new UnsupportedError(
              "reading a git repository needs git on this machine, and it is not installed",
              {
                hint: "install git (apt-get install git, brew install git) and run again",
              },
            ),
          );
        reject(new Error(shownUrl(stderr.trim().split("\n").slice(-3).join("; ") || err.message)));
      },
    );
  });
}

/** Where the mirror of `url` lives under `root`. */
export function mirrorDir(root: string, url: string): string {
  return path.join(root, digestHex(sha256(url)) + ".git");
}

/** Fetch every branch, tag and HEAD of `url` into its mirror (created on first use). */
export async function fetchMirror(dir: string, url: string): Promise<void> {
  if (!(await stat(dir).catch(() => undefined))) {
    await mkdir(path.dirname(dir), { recursive: true });
    await git(["init", "--quiet", "--bare", dir]);
  }
  const refspecs = [
    "+refs/heads/*:refs/heads/*",
    "+refs/tags/*:refs/tags/*",
    "+HEAD:refs/gantry/HEAD",
  ];
  await git(["fetch", "--quiet", "--prune", "--force", url, ...refspecs], dir).catch(
    (cause: unknown) => {
      throw new NotFoundError(
        `git repository ${shownUrl(url)} could not be fetched: ${(cause as Error).message}`,
        {
          cause,
          hint: "check the URL (a local path, file://, https:// or ssh) and that it is a git repository",
        },
      );
    },
  );
}

/** The first of `candidates` that names a commit in the mirror, as a full id. */
export async function revParse(
  dir: string,
  candidates: readonly string[],
): Promise<string | undefined> {
  for (const c of candidates) {
    const out = await git(["rev-parse", "--verify", "--quiet", `${c}^{commit}`], dir).catch(
      () => "",
    );
    if (out.trim()) return out.trim();
  }
  return undefined;
}

/** Ask the remote for a commit no branch or tag reaches; true when the mirror has it after. */
export async function fetchCommit(dir: string, url: string, commit: string): Promise<boolean> {
  await git(["fetch", "--quiet", url, commit], dir).catch(() => "");
  return (await revParse(dir, [commit])) !== undefined;
}

/** The commit's files as a tar stream (`git archive`); a failure ends the stream with an error. */
export function archiveCommit(dir: string, commit: string): Readable {
  const child = spawn("git", ["archive", "--format=tar", commit], { cwd: dir, env: gitEnv() });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.on("close", (code) => {
    if (code !== 0) child.stdout.destroy(new Error(`git archive failed: ${stderr.trim()}`));
  });
  return child.stdout;
}

/** Write the commit's files into `dest` (created), without .git. */
export async function checkoutCommit(dir: string, commit: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  await git(["--work-tree", dest, "checkout", "--force", commit, "--", "."], dir);
}

/** Branch or tag names in the mirror, sorted. */
export async function refNames(
  dir: string,
  kind: "branch" | "tag",
  patterns: readonly string[] = [],
): Promise<string[]> {
  const prefix = kind === "branch" ? "refs/heads/" : "refs/tags/";
  const out = await git(
    [
      "for-each-ref",
      "--format=%(refname)",
      ...(patterns.length ? patterns.map((p) => prefix + p) : [prefix]),
    ],
    dir,
  );
  return out
    .split("\n")
    .filter(Boolean)
    .map((r) => r.slice(prefix.length))
    .sort();
}
