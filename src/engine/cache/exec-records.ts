// Looking up and recording an exec's cached result by its key: the snapshot, exit code and output it produced.
import type { Session } from "../session.js";
import type { Snapshot } from "../../runtime/runtime.js";

/** What a cached exec gives back instead of running. */
export interface ExecRecord {
  snapshot: Snapshot;
  exitCode: number;
  stdout: string;
  stderr: string;
  time: number;
}

export type CacheLookup =
  | { hit: true; record: ExecRecord }
  /** `pruned`: a record exists but the engine no longer has its snapshot. */
  | { hit: false; pruned: boolean };

/** The cached result of the exec with this key, when its snapshot still exists. */
export async function lookupExec(s: Session, key: string): Promise<CacheLookup> {
  const record = await s.store.getRecord<ExecRecord>("exec", key);
  if (!record) return { hit: false, pruned: false };
  if (await s.runtime.hasSnapshot(record.snapshot)) return { hit: true, record };
  return { hit: false, pruned: true };
}

/** Record a successful exec; a failed one is never recorded, so a rerun runs a failing or flaky step again. */
export async function recordExec(
  s: Session,
  key: string,
  r: Omit<ExecRecord, "time" | "exitCode">,
): Promise<void> {
  const record: ExecRecord = {
    snapshot: r.snapshot,
    exitCode: 0,
    stdout: r.stdout,
    stderr: r.stderr,
    time: Date.now(),
  };
  await s.store.putRecord("exec", key, record);
}
