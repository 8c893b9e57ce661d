// Is a process still there? Signal 0 says whether the pid exists; on Linux a zombie (exited, not yet reaped by its
// parent, e.g. an orphan under an init that reaps slowly) also exists, so /proc is asked whether it really runs.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but someone else's.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  const state = procStat(pid);
  return state === undefined || (state !== "Z" && state !== "X");
}

// The state letter of /proc/<pid>/stat (after the parenthesised command name); undefined off Linux.
function procStat(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
}

/** The process's arguments (Linux /proc, else `ps`, split on spaces); undefined when they cannot be read. */
export function processArgs(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    try {
      const line = execFileSync("ps", ["-o", "args=", "-p", String(pid)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
      return line ? line.split(/\s+/) : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * When the process started (clock ticks since boot, from /proc), so a lock held by a pid that was since reused
 * by another process is seen to be stale; undefined off Linux or when the process is gone.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * The entries of `dir` named `<prefix><pid>-…` whose process (never this one) is gone: what a killed run left in the
 * temp dir for the next run to remove. A folder that cannot be read has none.
 */
export async function entriesOfDeadProcesses(
  dir: string,
  prefix: string,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<string[]> {
  const dead: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (pid && pid !== process.pid && !isAlive(pid)) dead.push(path.join(dir, name));
  }
  return dead;
}
