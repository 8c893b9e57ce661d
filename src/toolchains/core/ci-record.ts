// `ci` passing in full is what deploy's quality gate asks for: the preset records it for the source it checked.
import { recordChecks } from "../../engine/api/index.js";
import { UnsupportedError, type Directory } from "../../sdk/index.js";

/**
 * Record a full pass of `ci` for this source (what `deploy` of the same source reads), and say so under the table.
 * A run that left checks out (`--fast`, `--skip`) passes nothing to deploy; a run without a state dir cannot record.
 */
export async function recordCiPass(source: Directory, complete: boolean): Promise<string> {
  if (!complete) return "not recorded for deploy: checks were left out (--fast or --skip)";
  try {
    return `recorded for deploy: ${recordChecks(await source.digest(), "ci", "ci").sourceDigest}`;
  } catch (e) {
    if (e instanceof UnsupportedError) return `not recorded for deploy: ${e.message}`;
    throw e;
  }
}
