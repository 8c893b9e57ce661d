// The quality gate's records for the current run: what `ci` writes when it passed and `deploy` reads, in the
// run's state dir. One seam for both the presets (toolchains/) and the deploy functions (deploy/).
import { requireSession } from "../session.js";
import {
  readChecksRecord,
  writeChecksRecord,
  type ChecksRecord,
} from "../../store/checks-record.js";
import { UnsupportedError } from "../../errors.js";

export type { ChecksRecord } from "../../store/checks-record.js";

// The run's state dir and project, which a session opened by the CLI or connect() always has.
function placeOf(what: string): { stateDir: string; projectDir: string; runId: string } {
  const s = requireSession(what);
  const stateDir = s.env?.stateDir;
  if (!stateDir)
    throw new UnsupportedError(
      `${what} needs Gantry's state dir, and this run was opened without one`,
    );
  return { stateDir, projectDir: s.projectDir, runId: s.runId };
}

/** Record that checks named `checks` passed for the source with this digest, in the current run. */
export function recordChecks(digest: string, checks: string, what: string): ChecksRecord {
  const { stateDir, projectDir, runId } = placeOf(what);
  const record: ChecksRecord = {
    sourceDigest: digest,
    checks,
    passedAt: new Date().toISOString(),
    runId,
  };
  writeChecksRecord(stateDir, projectDir, record);
  return record;
}

/** The passing record for this source digest in the current project, if a check run left one. */
export function checksRecordFor(digest: string, what: string): ChecksRecord | undefined {
  const { stateDir, projectDir } = placeOf(what);
  return readChecksRecord(stateDir, projectDir, digest);
}
