// An exec's root as a kernel overlay over a lower directory written once per tree, so parallel execs over one source
// share one copy and an exec's changes are exactly what its upper directory holds (see host-runtime.md, "Overlay").
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { findOnHost } from "./command-check.js";
import { removeTree } from "./run-temp.js";

/** The host programs that mount the overlay, by absolute path, and whether a user namespace is needed to do it. */
export interface OverlayTools {
  readonly unshare: string;
  readonly mount: string;
  readonly sh: string;
  readonly bwrap: string;
  readonly env: string;
  /** Not root: the overlay is mounted inside a user namespace in which we are root (kernel ≥ 5.11). */
  readonly userns: boolean;
}

/** Names inside an exec's work directory; relative, so no host path ever has to be escaped in mount options. */
export const UPPER = "upper";
export const MERGED = "merged";
const OV_WORK = "ovwork";

function namespaceFlags(tools: OverlayTools): string[] {
  return tools.userns ? ["--user", "--map-root-user", "--mount"] : ["--mount"];
}

function mountOptions(tools: OverlayTools, opts: string): string {
  // The kernel's defaults for these can be on (build options, module parameters); on, the upper would hold redirects,
  // metadata-only copies or index links that a scan of its files cannot read back right, and identical lower files
  // would share one inode. Off, every change is a plain file, directory, symlink or whiteout in the upper.
  const plain = `${opts},redirect_dir=nofollow,metacopy=off,index=off`;
  // An overlay mounted in a user namespace cannot use trusted.* attributes; userxattr makes it use user.overlay.*.
  return tools.userns ? `${plain},userxattr` : plain;
}

/** mount(8) runs with a clean environment: the exec's variables (LD_*, LIBMOUNT_DEBUG) are for the exec only. */
const MOUNT = `"$ENV_PROGRAM" -i PATH=/usr/sbin:/usr/bin:/sbin:/bin`;

/** Run `sh -c script` in a private mount namespace (and user namespace, if needed), in `cwd`; resolves its exit. */
function inNamespace(
  tools: OverlayTools,
  cwd: string,
  script: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      tools.unshare,
      [...namespaceFlags(tools), "--", tools.sh, "-c", script, "sh", ...args],
      {
        cwd,
        // the shell's own tools (rm, [) as this process finds them; mount(8) runs under env -i anyway
        env: { ENV_PROGRAM: tools.env, PATH: process.env.PATH ?? "/usr/bin:/bin" },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 30_000,
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", (e) => resolve({ code: -1, stdout, stderr: stderr + String(e) }));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Whether an overlay can be mounted (and written through) in `dir`, which must be on the file system exec directories
 * use: an upper on an overlay itself (Gantry inside a container) or a kernel without unprivileged overlays says no.
 * `dir` is removed before the answer, or handed to `removeLater` (a run's first exec need not wait for it).
 * Everything before the short process is synchronous (a few stat and mkdir calls): it runs while the first exec
 * copies its files, and an await each would wait behind that.
 */
export async function probeOverlay(
  dir: string,
  removeLater?: (dir: string) => void,
): Promise<OverlayTools | undefined> {
  try {
    return await probeIn(dir);
  } catch {
    return undefined; // its files could not be made, or its process could not start (spawn fails at once): copies
  } finally {
    if (removeLater) removeLater(dir);
    else await removeTree(dir).catch(() => undefined);
  }
}

async function probeIn(dir: string): Promise<OverlayTools | undefined> {
  if (process.platform !== "linux") return undefined;
  // mount(8) often lives in a sbin directory a user's PATH leaves out
  const pathVar = `${process.env.PATH ?? ""}:/usr/bin:/bin:/usr/sbin:/sbin`;
  const [unshare, mount, sh, bwrap, env] = ["unshare", "mount", "sh", "bwrap", "env"].map((name) =>
    findOnHost(name, pathVar),
  );
  if (!unshare || !mount || !sh || !bwrap || !env) return undefined;
  const tools: OverlayTools = { unshare, mount, sh, bwrap, env, userns: process.getuid?.() !== 0 };
  // a failure here is probeOverlay's "no overlay", as for the process below
  for (const d of ["lower", UPPER, OV_WORK, MERGED]) mkdirSync(path.join(dir, d));
  writeFileSync(path.join(dir, "lower", "f"), "x");
  const opts = mountOptions(tools, `lowerdir=lower,upperdir=${UPPER},workdir=${OV_WORK}`);
  // Write through it and delete a lower file: the upper must then hold the copy and a whiteout.
  const r = await inNamespace(
    tools,
    dir,
    `${MOUNT} "$1" -t overlay -o "$2" overlay ${MERGED} && echo y > ${MERGED}/g && rm ${MERGED}/f && ` +
      `[ -c ${UPPER}/f ] && [ -f ${UPPER}/g ]`,
    [mount, opts],
  );
  return r.code === 0 ? tools : undefined;
}

/**
 * The program and arguments that mount the exec's overlay (in `work`, over `lower`) and then become bwrap with
 * `bwrapArgs`: sh execs bwrap, so bwrap is still the process Gantry started (its status fd, --die-with-parent, kill).
 * Not root, bwrap starts as root of the user namespace made for the mount, and would keep every capability there
 * (a process could remount a read-only bind writable): it drops them all, as it does for a user it maps itself.
 */
export function overlayCommand(
  tools: OverlayTools,
  work: string,
  lower: string,
  bwrapArgs: readonly string[],
): { file: string; args: string[]; cwd: string } {
  const opts = mountOptions(
    tools,
    `lowerdir=${path.relative(work, lower)},upperdir=${UPPER},workdir=${OV_WORK}`,
  );
  const script = `ENV_PROGRAM=$5; ${MOUNT} "$1" -t overlay -o "$2" overlay "$3" || exit 125; b=$4; shift 5; exec "$b" "$@"`;
  return {
    file: tools.unshare,
    args: [
      ...namespaceFlags(tools),
      "--",
      tools.sh,
      "-c",
      script,
      "sh",
      tools.mount,
      opts,
      MERGED,
      tools.bwrap,
      tools.env,
      ...(tools.userns ? ["--cap-drop", "ALL"] : []),
      ...bwrapArgs,
    ],
    cwd: work,
  };
}

/** Make the directories an exec's overlay needs in its work directory. */
export async function prepareOverlayWork(work: string): Promise<void> {
  for (const d of [UPPER, OV_WORK, MERGED]) await mkdir(path.join(work, d));
  await chmod(path.join(work, UPPER), 0o755);
}

/** Arguments per probe process: far below ARG_MAX. */
const PROBE_CHUNK_BYTES = 64 * 1024;

/**
 * Of these tree paths (each a lower entry the upper did not replace), the indexes that the finished overlay does not
 * show: their directory was made opaque (removed and made again). Mounts the upper read-only over the lower and asks.
 */
export async function hiddenInOverlay(
  tools: OverlayTools,
  work: string,
  lower: string,
  paths: readonly string[],
): Promise<Set<number>> {
  const hidden = new Set<number>();
  const opts = mountOptions(tools, `ro,lowerdir=${UPPER}:${path.relative(work, lower)}`);
  const script =
    `${MOUNT} "$1" -t overlay -o "$2" overlay ${MERGED} || exit 125; cd ${MERGED} || exit 125; i=$3; shift 3; ` +
    `for p; do [ -e "$p" ] || [ -h "$p" ] || echo $i; i=$((i+1)); done`;
  for (let start = 0; start < paths.length;) {
    let end = start;
    let bytes = 0;
    while (end < paths.length && (end === start || bytes < PROBE_CHUNK_BYTES))
      bytes += (paths[end++] as string).length + 1;
    const r = await inNamespace(tools, work, script, [
      tools.mount,
      opts,
      String(start),
      ...paths.slice(start, end),
    ]);
    if (r.code !== 0)
      throw new Error(
        `could not read back the exec's overlay in ${work}: ${r.stderr.trim() || `exit ${r.code}`}`,
      );
    for (const line of r.stdout.split("\n")) if (line) hidden.add(Number(line));
    start = end;
  }
  return hidden;
}
