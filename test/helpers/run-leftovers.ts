// What a gantry process left behind, whichever way its execs ran: its containers, networks and volumes (labelled with
// its pid: the container API), its base images' tags (execs through BuildKit: `-p<pid>-` in the tag), and, given the
// fixture's NONCE, its execs' processes (a container's and a BuildKit exec's processes are this machine's too).
import { readdirSync, readFileSync } from "node:fs";
import { docker } from "./test-session.js";

export function leftovers(pid: number, nonce?: string): string {
  const filter = ["--filter", `label=gantry.pid=${pid}`];
  const objects = [
    docker(["ps", "-aq", ...filter]),
    docker(["network", "ls", "-q", ...filter]),
    docker(["volume", "ls", "-q", ...filter]),
  ].map((s) => s.trim());
  const tags = docker(["images", "--format", "{{.Repository}}:{{.Tag}}", "gantry-cache"])
    .split("\n")
    .filter((t) => t.includes(`-p${pid}-`));
  const procs = nonce === undefined ? [] : execProcesses(nonce).map((p) => `process ${p}`);
  return [...objects, ...tags, ...procs].filter(Boolean).join("\n");
}

/** Processes whose environment has NONCE=<nonce> (the test modules' execs set it). */
export function execProcesses(nonce: string): number[] {
  const want = `NONCE=${nonce}`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(want))
        found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
