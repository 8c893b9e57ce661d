// Several Gantry processes share one state dir (four CI jobs on one runner, a terminal and an editor): a LOCKED
// cache volume must admit one exec across all of them, and a step several of them need at once should run once.
// A lock is a file created with O_EXCL holding the owner's pid and start time; a holder that died (SIGKILL, a
// crash) leaves a stale file that the next taker removes, so no lock outlives its process.
import { open, readFile, stat, unlink } from "node:fs/promises";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { abortableSleep } from "./abortable-sleep.js";
import { processIsAlive, processStartTime } from "../process-alive.js";

/** A held lock; `release` removes the file (never throws). */
export type ReleaseLock = () => Promise<void>;

const POLL_MS = [20, 50, 100, 200, 250];
/** A breaker file older than this belongs to a taker that died between two syscalls. */
const STALE_BREAKER_MS = 10_000;

/** Wait until the lock at `file` is ours (abortably, naming `what` on cancel). */
export async function acquireFileLock(
  file: string,
  signal: AbortSignal,
  what: string,
): Promise<ReleaseLock> {
  for (let attempt = 0; ; attempt++) {
    const release = await tryFileLock(file);
    if (release) return release;
    await abortableSleep(POLL_MS[Math.min(attempt, POLL_MS.length - 1)] as number, signal, what);
  }
}

/** The lock at `file` if nobody alive holds it now, else undefined (a PRIVATE cache's "is it in use?"). */
export async function tryFileLock(file: string): Promise<ReleaseLock | undefined> {
  await mkdir(path.dirname(file), { recursive: true });
  const me = ownerLine(process.pid);
  for (;;) {
    try {
      const fh = await open(file, "wx", 0o600);
      try {
        await fh.writeFile(me);
      } finally {
        await fh.close();
      }
      return () => unlink(file).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = await readFile(file, "utf8").catch(() => undefined);
    if (holder === undefined) continue; // released between our open and our read: try again
    if (holderAlive(holder)) return undefined;
    await breakStale(file, holder);
  }
}

// `pid startTime` of the owner; the start time tells a live owner from a reused pid.
function ownerLine(pid: number): string {
  return `${pid} ${processStartTime(pid) ?? "?"}\n`;
}

// A lock file written half (the owner died inside writeFile) counts as stale, like a dead owner's.
function holderAlive(line: string): boolean {
  const [pidText, start] = line.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !processIsAlive(pid)) return false;
  return start === undefined || start === "?" || processStartTime(pid) === start;
}

// Remove a dead owner's lock, unless a live taker replaced it meanwhile: takers of the same stale lock are
// serialised by a breaker file, and the lock is removed only if it still holds what was judged stale.
async function breakStale(file: string, staleLine: string): Promise<void> {
  const breaker = `${file}.break`;
  try {
    await (await open(breaker, "wx", 0o600)).close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const st = await stat(breaker).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > STALE_BREAKER_MS) await unlink(breaker).catch(() => {});
    return; // someone else is breaking it; look again
  }
  try {
    if ((await readFile(file, "utf8").catch(() => undefined)) === staleLine)
      await unlink(file).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}
