// A run that was killed cannot clean up after itself; the next run on the same machine does it (cf. testcontainers' Ryuk).
import type Dockerode from "dockerode";
import os from "node:os";
import { LABELS } from "./labels.js";
import { removeLabelled, type Removed } from "./run-cleanup.js";
import { reapSecretDirs } from "../exec/secret-files.js";
import { processIsAlive } from "../../../process-alive.js";

export interface ReapOptions {
  /** Where this machine's secret files live (os.tmpdir()). */
  tmpDir?: string;
  /** This machine's name; resources made on other machines sharing the engine are left alone. */
  hostname?: string;
  isAlive?: (pid: number) => boolean;
}

// Remove containers, networks, temporary volumes and secret files made on this machine by processes that no longer exist.
export async function reapStale(docker: Dockerode, opts: ReapOptions = {}): Promise<Removed> {
  const hostname = opts.hostname ?? os.hostname();
  const isAlive = opts.isAlive ?? processIsAlive;
  await reapSecretDirs(isAlive, opts.tmpDir);
  return removeLabelled(docker, { [LABELS.managed]: "true", [LABELS.host]: hostname }, (labels) => {
    const pid = Number(labels[LABELS.pid]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid);
  });
}
