// Looking up and recording an exec's cached result by its key: the snapshot, exit code and output it produced.
import type { Session } from "../session.js";
import type { Snapshot } from "../../runtime/runtime.js";
import type { FileEntry } from "../../store/tree.js";

/** A mount's contents after the exec, by content: a saved tree's digest, or a file entry. */
export type MountOutputRef = { kind: "dir"; tree: string } | { kind: "file"; entry: FileEntry };

/** What a cached exec gives back instead of running. */
export interface ExecRecord {
  /**
   * The filesystem the exec left; absent when nothing read it while it ran (it was never committed): the record
   * then serves the output, and a run that reads the filesystem runs the exec again (exec.ts).
   */
  snapshot?: Snapshot;
  /** Writable directory/file mounts' contents after the exec, by absolute target: part of the step's result. */
  mounts?: Record<string, MountOutputRef>;
  exitCode: number;
  stdout: string;
  stderr: string;
  time: number;
}

export type CacheLookup =
  | { hit: true; record: ExecRecord }
  /** `pruned`: a record exists but the engine no longer has its snapshot. */
  | { hit: false; pruned: boolean };

/**
 * The cached result of the exec with this key, when its snapshot still exists and it holds the outputs of
 * `mountTargets` (a record written before mounts carried their writes has none: the step runs again).
 */
export async function lookupExec(
  s: Session,
  key: string,
  mountTargets: readonly string[] = [],
): Promise<CacheLookup> {
  const record = await s.store.getRecord<ExecRecord>("exec", key);
  if (!record) return { hit: false, pruned: false };
  if (!(await hasMountOutputs(s, record, mountTargets))) return { hit: false, pruned: true };
  if (record.snapshot === undefined || (await s.runtime.hasSnapshot(record.snapshot)))
    return { hit: true, record };
  return { hit: false, pruned: true };
}

// Every mount output the exec owes is recorded, and its tree is still in the store.
async function hasMountOutputs(
  s: Session,
  record: ExecRecord,
  targets: readonly string[],
): Promise<boolean> {
  for (const t of targets) {
    const ref = record.mounts?.[t];
    if (!ref) return false;
    if (ref.kind === "dir") {
      try {
        await s.store.loadTree(ref.tree);
      } catch {
        return false;
      }
    }
  }
  return true;
}

/** Record a successful exec; a failed one is never recorded, so a rerun runs a failing or flaky step again. */
export async function recordExec(
  s: Session,
  key: string,
  r: Omit<ExecRecord, "time" | "exitCode">,
): Promise<void> {
  const record: ExecRecord = {
    snapshot: r.snapshot,
    mounts: r.mounts,
    exitCode: 0,
    stdout: r.stdout,
    stderr: r.stderr,
    time: Date.now(),
  };
  await s.store.putRecord("exec", key, record);
}
