// Runs in progress must be visible to every Gantry process sharing the state dir, so that `cache prune`/`gc` in
// one terminal never removes what a run in another is using: each run holds a lease file while it is open.
import { mkdir, readdir, readFile, unlink, writeFile, rename } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { processIsAlive } from "../../process-alive.js";

/** One running run, as its lease file says. */
export interface RunLease {
  runId: string;
  pid: number;
  host: string;
  /** When the run opened (ms since the epoch): whatever it made or used since is kept. */
  start: number;
}

/** `<stateDir>/cache/leases`: one `<runId>.json` per open run. */
export function leasesDir(stateDir: string): string {
  return path.join(stateDir, "cache", "leases");
}

/** Write this process's lease for `runId`; the returned function removes it (never throws). */
export async function holdRunLease(
  stateDir: string,
  runId: string,
  start = Date.now(),
): Promise<() => Promise<void>> {
  const dir = leasesDir(stateDir);
  await mkdir(dir, { recursive: true });
  const lease: RunLease = { runId, pid: process.pid, host: os.hostname(), start };
  const file = path.join(dir, `${runId.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(lease) + "\n", { mode: 0o600 });
  await rename(tmp, file);
  return () => unlink(file).catch(() => undefined);
}

/**
 * The leases of runs still open. A lease whose process is gone (killed, crashed) is stale and removed; a lease
 * made on another host (a shared state dir) cannot be checked and counts as live.
 */
export async function liveRunLeases(
  stateDir: string,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<RunLease[]> {
  const dir = leasesDir(stateDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const live: RunLease[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const file = path.join(dir, name);
    const lease = await readLease(file);
    if (!lease) continue;
    const here = lease.host === os.hostname();
    if (here && !isAlive(lease.pid)) await unlink(file).catch(() => undefined);
    else live.push(lease);
  }
  return live;
}

/** File systems that keep mtimes to the second (or two, FAT) could date a run's first write before its lease. */
export const MTIME_SLACK_MS = 2000;

/** The moment before which nothing a live run made or used can lie; undefined when no run is open. */
export function oldestLeaseStart(leases: readonly RunLease[]): number | undefined {
  return leases.length ? Math.min(...leases.map((l) => l.start)) - MTIME_SLACK_MS : undefined;
}

// A lease being written (or half written by a process that died) is skipped rather than trusted or deleted.
async function readLease(file: string): Promise<RunLease | undefined> {
  try {
    const v = JSON.parse(await readFile(file, "utf8")) as Partial<RunLease>;
    if (typeof v.pid !== "number" || typeof v.start !== "number" || typeof v.runId !== "string")
      return undefined;
    return { runId: v.runId, pid: v.pid, host: v.host ?? os.hostname(), start: v.start };
  } catch {
    return undefined;
  }
}
