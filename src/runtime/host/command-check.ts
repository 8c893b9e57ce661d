// A host lacks tools an image would have; say so before running, instead of a bare "command not found".
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { NotFoundError, UnsupportedError } from "../../errors.js";
import type { MountSpec } from "../runtime.js";
import type { Tree } from "../../store/tree.js";
import { isReserved, treePathOf, type SystemView } from "./system-view.js";
import { isAtOrUnder } from "./tree-edit.js";

export interface CommandContext {
  mode: "bubblewrap" | "plain";
  view: SystemView;
  /** The upper tree the exec starts from. */
  tree: Tree;
  mounts: readonly MountSpec[];
  workdir: string;
  /** PATH of the exec's environment. */
  pathVar: string;
  /** The host's own PATH, to tell "not installed" from "installed where the sandbox does not look". */
  hostPath: string;
  image?: string;
  step: string;
}

/** Throw an UnsupportedError/NotFoundError naming the missing command unless `cmd` would start. */
export async function assertCommandAvailable(cmd: string, ctx: CommandContext): Promise<void> {
  if (cmd.includes("/")) return assertPathAvailable(cmd, ctx);
  for (const dir of ctx.pathVar.split(":")) {
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.posix.join(dir, cmd);
    if (ctx.mode === "plain" ? isHostExecutable(candidate) : await isVisible(candidate, ctx))
      return;
  }
  const provider = ctx.image
    ? `the image "${ctx.image}" would provide it`
    : "a container image would provide it";
  let elsewhere = "";
  const onHost = ctx.mode === "bubblewrap" ? findOnHost(cmd, ctx.hostPath) : undefined;
  if (onHost)
    elsewhere = `; this host has ${onHost}, but the sandbox shows only the system dirs and PATH install prefixes`;
  throw new UnsupportedError(
    `host runtime: "${cmd}" is not installed on this host (${provider}${elsewhere}): ` +
      `install it, or run with --runtime=docker (step: ${ctx.step})`,
  );
}

/** A command given as a path: a host system path, or a file the pipeline put in the container. */
async function assertPathAvailable(cmd: string, ctx: CommandContext): Promise<void> {
  const abs = path.posix.resolve(ctx.workdir, cmd);
  if (ctx.mode === "plain" && path.isAbsolute(cmd)) {
    if (isHostExecutable(cmd)) return;
    if (ctx.tree.entries[treePathOf(cmd)])
      throw new UnsupportedError(
        `host runtime without bubblewrap cannot show container path ${cmd} at its absolute path (step: ${ctx.step}): ` +
          `use a path relative to the workdir, install bubblewrap, or run with --runtime=docker`,
      );
  } else if (await isVisible(abs, ctx)) return;
  if (isReserved(ctx.view, abs) || (ctx.mode === "plain" && path.isAbsolute(cmd)))
    throw new UnsupportedError(
      `host runtime: ${abs} does not exist on this host` +
        (ctx.image ? ` (the image "${ctx.image}" would provide it)` : "") +
        `: install it, or run with --runtime=docker (step: ${ctx.step})`,
    );
  throw new NotFoundError(
    `cannot run ${cmd}: ${abs} does not exist in the container (step: ${ctx.step}): ` +
      `check the path, or that an earlier step creates it`,
  );
}

/** Whether a container path would be an executable file inside the sandbox (mount contents are given the benefit of the doubt). */
async function isVisible(containerPath: string, ctx: CommandContext): Promise<boolean> {
  const p = treePathOf(containerPath);
  const mount = ctx.mounts
    .filter((m) => isAtOrUnder(p, [treePathOf(m.target)]))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (mount) {
    if (mount.kind !== "dir") return mount.kind === "cache" || p === treePathOf(mount.target);
    const rest = path.posix.relative(treePathOf(mount.target), p);
    return isTreeExecutable(mount.tree, rest);
  }
  if (isReserved(ctx.view, containerPath)) return isHostExecutable(containerPath);
  return isTreeExecutable(ctx.tree, p);
}

/** A file with an execute bit, or a symlink (whose target the process will resolve). */
function isTreeExecutable(tree: Tree, p: string): boolean {
  const e = tree.entries[p];
  return e?.type === "symlink" || (e?.type === "file" && (e.mode & 0o111) !== 0);
}

/**
 * The first executable `cmd` on the host along `pathVar` (a PATH value; relative entries are skipped). Synchronous:
 * a few stat calls, each cheaper than the turn of the event loop an async one waits for (the overlay probe asks for
 * five programs while the first exec copies its files).
 */
export function findOnHost(cmd: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(":")) {
    const candidate = path.posix.join(dir, cmd);
    if (path.isAbsolute(dir) && isHostExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** What execvp would accept on the host: a regular file we may execute. */
function isHostExecutable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
