// The quality gate: a deploy goes ahead only for a source whose checks passed. A successful check run records the
// source's digest in the state dir (`recordChecksPassed`); deploy looks for that record unless forced.
import fs from "node:fs";
import path from "node:path";
import { ensureProjectDir, projectStateDir } from "../store/project-state-dir.js";
import { deployRunContext } from "../engine/api/index.js";
import { DeployError, UnsupportedError } from "../errors.js";
import type { Directory } from "../sdk/index.js";

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

// The run's state dir, which a session opened by the CLI or connect() always has.
function stateDirOf(what: string): { stateDir: string; projectDir: string; runId: string } {
  const ctx = deployRunContext(what);
  if (!ctx.stateDir)
    throw new UnsupportedError(
      `${what} needs Gantry's state dir, and this run was opened without one`,
    );
  return { stateDir: ctx.stateDir, projectDir: ctx.projectDir, runId: ctx.runId };
}

/**
 * Record that the checks passed for this exact source, so `deploy` of the same source passes its quality gate.
 * Call it at the end of the function that runs the checks (a `ci` workflow), after every check succeeded.
 *
 * @example
 * \@func() async ci(@argument({ defaultPath: "/" }) source: Directory): Promise<string> {
 *   await Promise.all([this.lint(source), this.test(source)]);
 *   await recordChecksPassed(source, "ci");
 *   return "checks passed";
 * }
 */
export async function recordChecksPassed(source: Directory, checks = "checks"): Promise<string> {
  const digest = await source.digest();
  const { stateDir, projectDir, runId } = stateDirOf("recordChecksPassed");
  ensureProjectDir(stateDir, projectDir, "checks");
  const file = recordFile(stateDir, projectDir, digest);
  const record: ChecksRecord = {
    sourceDigest: digest,
    checks,
    passedAt: new Date().toISOString(),
    runId,
  };
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record, null, 2) + "\n");
  fs.renameSync(tmp, file);
  return digest;
}

/** The passing record for this source digest, or a refusal that says what to run. */
export function requireChecksPassed(digest: string, checksFunction: string): ChecksRecord {
  const { stateDir, projectDir } = stateDirOf("deploy");
  try {
    return JSON.parse(
      fs.readFileSync(recordFile(stateDir, projectDir, digest), "utf8"),
    ) as ChecksRecord;
  } catch {
    throw new DeployError(
      `deploy refused by the quality gate: no passing checks are recorded for this source (${digest.slice(0, 19)}…)`,
      {
        hint: `run \`gantry call ${checksFunction}\` on this same source first (a passing run records it), or deploy anyway with --force`,
      },
    );
  }
}
