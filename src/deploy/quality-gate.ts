// The quality gate: a deploy goes ahead only for a source whose checks passed. A successful check run records the
// source's digest in the state dir (the presets' `ci` does, or `recordChecksPassed`); deploy looks for that record
// unless forced. The records themselves are store/checks-record.ts, reached through the engine's seam.
import { checksRecordFor, recordChecks, type ChecksRecord } from "../engine/api/index.js";
import { DeployError } from "../errors.js";
import type { Directory } from "../sdk/index.js";

export type { ChecksRecord } from "../engine/api/index.js";

/**
 * Record that the checks passed for this exact source, so `deploy` of the same source passes its quality gate.
 * Call it at the end of the function that runs the checks (a `ci` workflow), after every check succeeded. The
 * presets' own `ci` already records its full passes.
 *
 * @example
 * \@func() async ci(@argument({ defaultPath: "." }) source: Directory): Promise<string> {
 *   await Promise.all([this.lint(source), this.test(source)]);
 *   await recordChecksPassed(source, "ci");
 *   return "checks passed";
 * }
 */
export async function recordChecksPassed(source: Directory, checks = "checks"): Promise<string> {
  const digest = await source.digest();
  return recordChecks(digest, checks, "recordChecksPassed").sourceDigest;
}

/** The passing record for this source digest, or a refusal that says what to run. */
export function requireChecksPassed(digest: string, checksFunction: string): ChecksRecord {
  const found = checksRecordFor(digest, "deploy");
  if (found) return found;
  throw new DeployError(
    `deploy refused by the quality gate: no passing checks are recorded for this source (${digest.slice(0, 19)}…)`,
    {
      hint: `run \`gantry call ${checksFunction}\` on this same source first (a passing run records it), or deploy anyway with --force`,
    },
  );
}
