// A full or read-only state dir is the machine's problem, not the pipeline's: say where and what to do, instead
// of a bare "ENOSPC: no space left on device, write" that reads like a failing step.
import { rm } from "node:fs/promises";
import { StateDirError } from "../errors.js";

const CODES: Record<string, string> = {
  ENOSPC: "no space left",
  EDQUOT: "the disk quota is used up",
  EROFS: "it is on a read-only file system",
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
    const why = CODES[(err as NodeJS.ErrnoException | null)?.code ?? ""];
    if (!why) throw err;
    throw new StateDirError(`cannot write ${what} to Gantry's state dir (${root}): ${why}`, {
      cause: err,
      hint: "free some space there, or point GANTRY_STATE_DIR at a larger writable disk, then run again (nothing half-written is used)",
    });
  }
}
