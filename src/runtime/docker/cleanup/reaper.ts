// A run that was killed cannot clean up after itself; the next run on the same machine does it (cf. testcontainers' Ryuk).
import os from "node:os";
import { LABELS } from "./labels.js";
import { anyLabelled, removeLabelled, type Removed } from "./run-cleanup.js";
import type { DockerEndpoint } from "../connection/socket-discovery.js";
import { clientOf, type LazyDocker } from "../connection/run-context.js";
import { reapSecretDirs } from "../exec/secret-files.js";
import { reapBaseTags } from "./base-tags.js";
import { processIsAlive } from "../../../process-alive.js";

export interface ReapOptions {
  /** Where this machine's secret files live (os.tmpdir()). */
  tmpDir?: string;
  /** This machine's name; resources made on other machines sharing the engine are left alone. */
  hostname?: string;
  isAlive?: (pid: number) => boolean;
  /** Where the engine is: then a first look with plain requests, and dockerode only when something is to go. */
  endpoint?: DockerEndpoint;
}

// Remove containers, networks, temporary volumes and secret files made on this machine by processes that no longer exist.
export async function reapStale(docker: LazyDocker, opts: ReapOptions = {}): Promise<Removed> {
  const hostname = opts.hostname ?? os.hostname();
  const isAlive = opts.isAlive ?? processIsAlive;
  await reapSecretDirs(isAlive, opts.tmpDir);
  const labels = { [LABELS.managed]: "true", [LABELS.host]: hostname };
  const stale = (l: Record<string, string>): boolean => {
    const pid = Number(l[LABELS.pid]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid);
  };
  // BuildKit execs' base tags of dead runs, from the records they left in the temp dir (never in the way of the rest)
  await reapBaseTags(() => clientOf(docker), isAlive, opts.tmpDir).catch(() => 0);
  if (opts.endpoint && !(await anyLabelled(opts.endpoint, labels, stale)))
    return { containers: 0, volumes: 0, networks: 0 };
  return removeLabelled(clientOf(docker), labels, stale);
}
