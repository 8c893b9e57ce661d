// A full or read-only state dir is the machine's problem, not the pipeline's: say where and what to do, instead
// of a bare "ENOSPC: no space left on device, write" that reads like a failing step.
import { rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { StateDirError } from "../errors.js";

/** Writes the disk refused, by error code: the machine's problem (the CLI's last net names them too, handle-error.ts). */
export const DISK_REFUSALS: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  EROFS: "it is on a read-only file system",
};

// Within the state dir a refused permission is the same kind of problem; outside it (a docker socket) it is not.
const CODES: Readonly<Record<string, string>> = {
  ...DISK_REFUSALS,
  EACCES: "no permission to write there",
  EPERM: "no permission to write there",
};

/** Run a write into the store at `root`; a file-system refusal becomes a StateDirError naming it; `tmp` is removed. */
export async function stateDirWrite<T>(
  root: string,
  what: string,
  write: () => Promise<T>,
  tmp?: string,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (tmp) await rm(tmp, { force: true }).catch(() => {});
    throw stateDirError(err, root, what);
  }
}

/** The same for a synchronous write (the project's state folder, made before anything else). */
export function stateDirWriteSync<T>(root: string, what: string, write: () => T, tmp?: string): T {
  try {
    return write();
  } catch (err) {
    if (tmp) rmSync(tmp, { force: true });
    throw stateDirError(err, root, what);
  }
}

// A file-system refusal as a StateDirError naming the state dir and what to do; any other error as it is.
function stateDirError(err: unknown, root: string, what: string): unknown {
  const why = CODES[(err as NodeJS.ErrnoException | null)?.code ?? ""];
  if (!why) return err;
  return new StateDirError(`cannot write ${what} to Gantry's state dir (${root}): ${why}`, {
    cause: err,
    hint: "free some space there, or point GANTRY_STATE_DIR at a larger writable disk, then run again (nothing half-written is used)",
  });
}
