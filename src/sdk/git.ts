// Git repositories as in Dagger: `dag.git(url).branch("main").tree()`, fetched with the host's git at evaluation.
import * as engine from "../engine/api/index.js";
import type { GitRefSpec } from "../engine/api/index.js";
import { Directory } from "./directory.js";
import { UnsupportedError } from "../errors.js";
import { assertString } from "./validate.js";

export interface GitOpts {
  /** Dagger keeps `.git` in the tree when true; Gantry's trees never hold it (refused, not ignored). */
  keepGitDir?: boolean;
  sshKnownHosts?: string;
  sshAuthSocket?: unknown;
  httpAuthUsername?: string;
  httpAuthToken?: unknown;
  experimentalServiceHost?: unknown;
}

/**
 * A repository: a local path, `file://`, `https://` or ssh URL, read with the host's git.
 *
 * @example
 * const src = dag.git("https://github.com/dagger/dagger").tag("v0.21.0").tree()
 */
export class GitRepository {
  /** @internal */
  readonly _url: string;

  /** @internal */
  constructor(url: string, opts: GitOpts = {}) {
    assertString("dag.git", "url", url);
    if (opts.keepGitDir)
      throw new UnsupportedError(
        "dag.git(url, { keepGitDir: true }): Gantry's trees never hold a .git folder",
        {
          hint: "drop keepGitDir, or run git inside a container with the repository mounted",
        },
      );
    for (const k of ["sshAuthSocket", "httpAuthToken", "experimentalServiceHost"] as const)
      if (opts[k] !== undefined)
        throw new UnsupportedError(`dag.git(url, { ${k} }) is not supported by Gantry yet`, {
          hint: "git uses this machine's own credentials (ssh agent, credential helper)",
        });
    this._url = url;
    Object.freeze(this);
  }

  private at(kind: GitRefSpec["kind"], name: string, what: string): GitRef {
    assertString(`GitRepository.${what}`, "name", name);
    if (!name || name.startsWith("-") || /[\s~^:?*[\\]/.test(name))
      throw new TypeError(
        `GitRepository.${what}: ${JSON.stringify(name)} is not a valid git ref name`,
      );
    return new GitRef(this._url, { kind, name });
  }

  branch(name: string): GitRef {
    return this.at("branch", name, "branch");
  }

  tag(name: string): GitRef {
    return this.at("tag", name, "tag");
  }

  /** A commit by its id (full or abbreviated). */
  commit(id: string): GitRef {
    if (!/^[0-9a-f]{4,64}$/i.test(id))
      throw new TypeError(`GitRepository.commit: ${JSON.stringify(id)} is not a commit id`);
    return new GitRef(this._url, { kind: "commit", name: id });
  }

  /** Any ref: a branch, a tag, `refs/…` or a commit id. */
  ref(name: string): GitRef {
    return this.at("ref", name, "ref");
  }

  /** The remote's default branch (its HEAD). */
  head(): GitRef {
    return new GitRef(this._url, { kind: "head", name: "HEAD" });
  }

  async branches(opts: { patterns?: string[] } = {}): Promise<string[]> {
    return engine.gitRefs(this._url, "branch", opts.patterns ?? []);
  }

  async tags(opts: { patterns?: string[] } = {}): Promise<string[]> {
    return engine.gitRefs(this._url, "tag", opts.patterns ?? []);
  }

  async url(): Promise<string> {
    return this._url;
  }
}

/** One commit of a repository; `tree()` is its files. */
export class GitRef {
  /** @internal */
  readonly _url: string;
  /** @internal */
  readonly _ref: GitRefSpec;

  /** @internal */
  constructor(url: string, ref: GitRefSpec) {
    this._url = url;
    this._ref = Object.freeze({ ...ref });
    Object.freeze(this);
  }

  /** The commit's files, without `.git` (`discardGitDir` is accepted; the tree never holds it). */
  tree(_opts: { discardGitDir?: boolean; depth?: number; sshKnownHosts?: string } = {}): Directory {
    return new Directory({ op: "git", url: this._url, ref: this._ref });
  }

  /** The full commit id. */
  async commit(): Promise<string> {
    return engine.gitCommit(this._url, this._ref);
  }

  /** The ref as given (`refs/heads/main` for a branch, `refs/tags/v1` for a tag). */
  async ref(): Promise<string> {
    const { kind, name } = this._ref;
    return kind === "branch" ? `refs/heads/${name}` : kind === "tag" ? `refs/tags/${name}` : name;
  }
}
