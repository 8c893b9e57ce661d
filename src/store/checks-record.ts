// The quality gate's records: "the checks passed for this source digest", one file per digest in the project's
// state dir. `ci` writes them (a preset's, or a module's own through recordChecksPassed); `deploy` reads them.
import fs from "node:fs";
import path from "node:path";
import { ensureProjectDir, projectStateDir } from "./project-state-dir.js";

export interface ChecksRecord {
  sourceDigest: string;
  /** What passed (`ci`, `quality`, …), as the recording function named it. */
  checks: string;
  passedAt: string;
  runId: string;
}

// `<stateDir>/projects/<id>/checks/<hex of the digest>.json`.
function recordFile(stateDir: string, projectDir: string, digest: string): string {
  return path.join(
    projectStateDir(stateDir, projectDir),
    "checks",
    `${digest.replace(/^sha256:/, "")}.json`,
  );
}

/** Write the record atomically (a reader never sees half a file). */
export function writeChecksRecord(
  stateDir: string,
  projectDir: string,
  record: ChecksRecord,
): void {
  ensureProjectDir(stateDir, projectDir, "checks");
  const file = recordFile(stateDir, projectDir, record.sourceDigest);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

/** The record for this source digest, or undefined when no check run passed for it. */
export function readChecksRecord(
  stateDir: string,
  projectDir: string,
  digest: string,
): ChecksRecord | undefined {
  try {
    return JSON.parse(
      fs.readFileSync(recordFile(stateDir, projectDir, digest), "utf8"),
    ) as ChecksRecord;
  } catch {
    return undefined;
  }
}
