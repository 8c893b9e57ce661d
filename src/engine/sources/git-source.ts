// dag.git(url): repositories are fetched with the host's git into a mirror in the store, and a commit's files
// become a Tree with `git archive`. Decision: git runs on the host (no image needed, the store is here).
import { execFile, spawn } from "node:child_process";
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Readable } from "node:stream";
import type { Session } from "../session.js";
import { digestHex, sha256 } from "../../store/digest.js";
import type { Tree } from "../../store/tree.js";
import { unpackTar } from "../../store/tree-tar.js";
import { NotFoundError, UnsupportedError, UsageError } from "../../errors.js";
import type { GitRefSpec } from "../nodes.js";
import { timedStep } from "../evaluate/steps.js";

/** A URL as git is given it: a local path becomes a file:// URL against the run's cwd. */
export function gitUrl(s: Session, url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\s]+@[^:\s]+:/.test(url)) return url;
  return pathToFileURL(path.resolve(s.cwd, url)).href;
}

/** The URL with any user:password removed, for messages and step names. */
export function shownUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

// git's own errors name the problem well; keep the last lines, without credentials.
function git(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, env: gitEnv() },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if ((err as NodeJS.ErrnoException).code === "ENOENT")
          return reject(
            new UnsupportedError("dag.git() needs git on this machine, and it is not installed", {
              hint: "install git (apt-get install git, brew install git) and run again",
            }),
          );
        reject(new Error(shownUrl(stderr.trim().split("\n").slice(-3).join("; ") || err.message)));
      },
    );
  });
}

// Never ask for a password on the terminal: a run must fail rather than hang.
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", LC_ALL: "C" };
}

/** The mirror of `url` in the store, fetched once per run (all branches, tags and HEAD). */
async function mirror(s: Session, url: string): Promise<string> {
  const dir = path.join(s.store.root, "git", digestHex(sha256(url)) + ".git");
  await s.once(`git-fetch:${url}`, async () => {
    if (!(await stat(dir).catch(() => undefined))) {
      await mkdir(path.dirname(dir), { recursive: true });
      await git(["init", "--quiet", "--bare", dir]);
    }
    await timedStep(s, { name: `git fetch ${shownUrl(url)}`, kind: "host" }, () =>
      git(
        [
          "fetch",
          "--quiet",
          "--prune",
          "--force",
          url,
          "+refs/heads/*:refs/heads/*",
          "+refs/tags/*:refs/tags/*",
          "+HEAD:refs/gantry/HEAD",
        ],
        dir,
      ).catch((cause: unknown) => {
        throw new NotFoundError(
          `git repository ${shownUrl(url)} could not be fetched: ${(cause as Error).message}`,
          {
            cause,
            hint: "check the URL (a local path, file://, https:// or ssh) and that it is a git repository",
          },
        );
      }),
    );
  });
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
  for (const c of candidates) {
    const out = await git(["rev-parse", "--verify", "--quiet", `${c}^{commit}`], dir).catch(
      () => "",
    );
    if (out.trim()) return out.trim();
  }
  if (ref.kind === "commit") {
    // A commit no branch or tag reaches: ask the remote for it by id.
    await git(["fetch", "--quiet", url, ref.name], dir).catch(() => "");
    const out = await git(["rev-parse", "--verify", "--quiet", `${ref.name}^{commit}`], dir).catch(
      () => "",
    );
    if (out.trim()) return out.trim();
  }
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
    () => unpackTar(archive(dir, commit), s.store),
  );
  await s.store.putRecord("git-tree", key, { tree: await s.store.saveTree(tree) });
  return tree;
}

// `git archive` streams the commit's files as a tar; its failure ends the stream with an error.
function archive(dir: string, commit: string): Readable {
  const child = spawn("git", ["archive", "--format=tar", commit], { cwd: dir, env: gitEnv() });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.on("close", (code) => {
    if (code !== 0) child.stdout.destroy(new Error(`git archive failed: ${stderr.trim()}`));
  });
  return child.stdout;
}

/** Branch or tag names of the repository, sorted; `patterns` are glob-like prefixes git understands. */
export async function gitRefNames(
  s: Session,
  url: string,
  kind: "branch" | "tag",
  patterns: readonly string[] = [],
): Promise<string[]> {
  const dir = await mirror(s, url);
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

/** A ref name given by a module must not read as an option to git. */
export function assertRefName(what: string, name: string): void {
  if (!name || name.startsWith("-") || /[\s~^:?*[\\]/.test(name))
    throw new UsageError(`${what}: ${JSON.stringify(name)} is not a valid git ref name`);
}
