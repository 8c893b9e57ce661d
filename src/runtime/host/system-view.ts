// A host "container" sees the host's own system read-only; this decides which paths those are, and refuses writes there.
import { lstat, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { UnsupportedError } from "../../errors.js";
import { isAtOrUnder } from "./tree-edit.js";

/** A host path shown at the same path in the sandbox: bound read-only, or re-created as the same symlink. */
export type SystemMount =
  | { readonly kind: "ro-bind"; readonly path: string }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string };

export interface SystemView {
  /** In mount order; paths are absolute and equal on host and in the sandbox. */
  readonly mounts: readonly SystemMount[];
  /** Tree paths (no leading "/") under which the pipeline cannot put anything. */
  readonly reserved: readonly string[];
}

/** The host's system directories; merged-usr hosts have bin/lib/sbin as symlinks into usr. */
const SYSTEM_DIRS = ["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "sys"];
/** Shown read-only where the host has them: Debian's package database, so `dpkg-query` answers what the host has. */
const SYSTEM_DATA = ["/var/lib/dpkg"];
/** Made by the sandbox itself, never by the pipeline. */
const SANDBOX_DIRS = ["dev", "proc"];

/** Look at the host: which system paths exist, and which tool prefixes (see toolPrefixes) to show too. */
export async function scanSystemView(readOnlyPaths: readonly string[]): Promise<SystemView> {
  const mounts: SystemMount[] = [];
  for (const name of SYSTEM_DIRS) {
    const p = "/" + name;
    const st = await lstat(p).catch(() => undefined);
    if (st?.isSymbolicLink()) mounts.push({ kind: "symlink", path: p, target: await readlink(p) });
    else if (st?.isDirectory()) mounts.push({ kind: "ro-bind", path: p });
  }
  for (const p of [...SYSTEM_DATA, ...(await resolverDirs()), ...readOnlyPaths]) {
    if ((await lstat(p).catch(() => undefined))?.isDirectory())
      mounts.push({ kind: "ro-bind", path: p });
  }
  const reserved = [...SANDBOX_DIRS, ...mounts.map((m) => m.path.slice(1))];
  return { mounts, reserved };
}

/**
 * Install prefixes of host PATH entries outside the system dirs (nvm, pyenv, a CI tool cache), so tools the
 * host would run are found in the sandbox too: "/opt/tools/node/20/bin" shows "/opt/tools/node/20".
 */
export function toolPrefixes(hostPath: string): string[] {
  const out: string[] = [];
  for (const dir of hostPath.split(":")) {
    if (!path.isAbsolute(dir)) continue;
    const norm = path.posix.normalize(dir).replace(/\/$/, "");
    if (norm === "" || isAtOrUnder(norm.slice(1), [...SYSTEM_DIRS, ...SANDBOX_DIRS])) continue;
    const parent = path.posix.dirname(norm);
    const prefix =
      path.posix.basename(norm) === "bin" && parent.split("/").length > 2 ? parent : norm;
    if (prefix.split("/").length > 2 && !out.includes(prefix)) out.push(prefix);
  }
  // A prefix inside another shows through it already.
  return out.filter((p) => !out.some((q) => q !== p && p.startsWith(q + "/")));
}

/** On systemd hosts /etc/resolv.conf links into /run; show that directory too or DNS fails in the sandbox. */
async function resolverDirs(): Promise<string[]> {
  const real = await realpath("/etc/resolv.conf").catch(() => undefined);
  if (!real || isAtOrUnder(real.slice(1), ["etc", "usr"])) return [];
  return [path.dirname(real)];
}

/** Whether an absolute container path lies in the host's read-only view. */
export function isReserved(view: SystemView, containerPath: string): boolean {
  return isAtOrUnder(treePathOf(containerPath), view.reserved);
}

/** Refuse to put anything at a container path the host runtime cannot write. */
export function assertWritable(view: SystemView, containerPath: string, what: string): void {
  const p = treePathOf(containerPath);
  const root = view.reserved.find((r) => p === r || p.startsWith(r + "/"));
  if (root === undefined) return;
  throw new UnsupportedError(
    `host runtime cannot write /${p} (${what}): /${root} is the host's own read-only ` +
      `${SANDBOX_DIRS.includes(root) ? "device/process view" : "system directory"} in the host runtime; ` +
      `use a path elsewhere (e.g. /src, /app, /opt), or run with --runtime=docker`,
  );
}

/** "/a/b/" → "a/b"; the root is "". */
export function treePathOf(containerPath: string): string {
  return path.posix.normalize("/" + containerPath).replace(/^\/+|\/+$/g, "");
}
