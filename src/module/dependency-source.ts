// Where a dagger.json dependency's module lives: a local folder, or a commit of a git repository checked out
// into Gantry's state dir (`<stateDir>/modules/<commit>/`), pinned as dagger.json's `pin` says.
import fs from "node:fs";
import path from "node:path";
import { ModuleError } from "../errors.js";
import {
  checkoutCommit,
  fetchCommit,
  fetchMirror,
  mirrorDir,
  revParse,
  shownUrl,
} from "../store/git-mirror.js";
import type { ModuleDependency } from "./module-config.js";

/** A git dependency, split: the repository URL, the module's folder in it, and the ref asked for. */
export interface GitDependencyRef {
  url: string;
  subdir: string;
  ref?: string;
}

/**
 * `file:///repo//sub@main`, `https://host/repo.git//sub@v1` (a `//` starts the folder in the repository) or
 * Dagger's `github.com/org/repo/sub@v1` (host, two path segments, then the folder). Undefined for a local path.
 */
export function parseGitDependency(source: string): GitDependencyRef | undefined {
  const at = source.lastIndexOf("@");
  const hasRef = at > 0 && !source.slice(at).includes("/");
  const body = hasRef ? source.slice(0, at) : source;
  const ref = hasRef ? source.slice(at + 1) : undefined;
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(body)?.[1];
  if (scheme) {
    const rest = body.slice(scheme.length);
    const split = rest.indexOf("//");
    const url = scheme + (split < 0 ? rest : rest.slice(0, split));
    const subdir = split < 0 ? "" : rest.slice(split + 2);
    return { url, subdir, ...(ref ? { ref } : {}) };
  }
  const hosted = /^([a-z0-9.-]+\.[a-z]{2,})\/([^/]+)\/([^/]+)(?:\/(.*))?$/i.exec(body);
  if (hosted && !fs.existsSync(body))
    return {
      url: `https://${hosted[1]}/${hosted[2]}/${hosted[3]}`,
      subdir: hosted[4] ?? "",
      ...(ref ? { ref } : {}),
    };
  return undefined;
}

/** The commit a git dependency names: its pin when given (checked to exist), else its ref resolved now. */
export async function resolveGitDependency(
  stateDir: string,
  ref: GitDependencyRef,
  pin?: string,
): Promise<{ commit: string; mirror: string }> {
  const mirror = mirrorDir(path.join(stateDir, "modules", "git"), ref.url);
  await fetchMirror(mirror, ref.url);
  if (pin) {
    const commit =
      (await revParse(mirror, [pin])) ??
      ((await fetchCommit(mirror, ref.url, pin)) ? pin : undefined);
    if (!commit)
      throw new ModuleError(
        `dependency ${shownUrl(ref.url)} is pinned to ${pin}, which the repository does not have`,
      );
    return { commit: (await revParse(mirror, [commit])) as string, mirror };
  }
  const wanted = ref.ref ?? "HEAD";
  const candidates =
    wanted === "HEAD"
      ? ["refs/gantry/HEAD"]
      : [`refs/tags/${wanted}`, `refs/heads/${wanted}`, wanted];
  const commit = await revParse(mirror, candidates);
  if (!commit)
    throw new ModuleError(
      `dependency ${shownUrl(ref.url)} has no branch, tag or commit ${JSON.stringify(wanted)}`,
    );
  return { commit, mirror };
}

/** The folder holding the dependency's module, checked out when it comes from git. */
export async function dependencyDir(
  dep: ModuleDependency,
  rootDir: string,
  stateDir: string,
): Promise<string> {
  const git = parseGitDependency(dep.source);
  if (!git) {
    const dir = path.resolve(rootDir, dep.source);
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new ModuleError(
        `dependency ${dep.name}: ${dep.source} is not a folder (relative to ${rootDir})`,
        { hint: 'fix its "source" in dagger.json, or reinstall it with gantry install' },
      );
    return dir;
  }
  const { commit, mirror } = await resolveGitDependency(stateDir, git, dep.pin);
  const dest = path.join(stateDir, "modules", commit);
  if (!fs.existsSync(path.join(dest, ".gantry-complete"))) {
    const tmp = `${dest}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    await checkoutCommit(mirror, commit, tmp);
    fs.writeFileSync(path.join(tmp, ".gantry-complete"), commit);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  }
  return path.join(dest, git.subdir);
}
