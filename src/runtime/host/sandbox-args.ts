// The bubblewrap command line that turns an upper directory into a container-like root over the host's system.
import type { SystemView } from "./system-view.js";

export interface SandboxLayout {
  /** The exec's upper directory, shown as "/" so every write outside the system view is kept. */
  upper: string;
  view: SystemView;
  /** Arguments showing the exec's mounts, from prepareMounts. */
  mountArgs: readonly string[];
  /** A generated hosts file to show at /etc/hosts (service aliases), if any. */
  hostsFile?: string;
  workdir: string;
  /** The invoking user's uid; non-root users get a user namespace in which they are root, as in a container. */
  uid: number;
}

/** bwrap arguments up to (not including) the command; environment comes from bwrap's own environment. */
export function sandboxArgs(layout: SandboxLayout): string[] {
  const args = ["--die-with-parent", "--unshare-pid", "--json-status-fd", "3"];
  if (layout.uid !== 0) args.push("--unshare-user", "--uid", "0", "--gid", "0");
  args.push("--bind", layout.upper, "/");
  for (const m of layout.view.mounts) {
    if (m.kind === "symlink") args.push("--symlink", m.target, m.path);
    else args.push("--ro-bind", m.path, m.path);
  }
  args.push("--dev", "/dev", "--tmpfs", "/dev/shm", "--proc", "/proc");
  if (layout.hostsFile) args.push("--ro-bind", layout.hostsFile, "/etc/hosts");
  args.push(...layout.mountArgs, "--chdir", layout.workdir, "--");
  return args;
}
