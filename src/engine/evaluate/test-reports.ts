// Test results for the report: the JUnit XML an exec leaves where its GANTRY_TEST_REPORTS variable points.
import path from "node:path";
import type { Session } from "../session.js";
import type { Snapshot } from "../../runtime/runtime.js";
import type { FileEntry, Tree } from "../../store/tree.js";

/** The variable a step sets to say where it writes JUnit XML (a file, or a folder searched for `*.xml`). */
export const TEST_REPORTS_VAR = "GANTRY_TEST_REPORTS";
const MAX_FILES = 20;
const MAX_BYTES = 4 * 1024 * 1024;

/** The report path an exec's environment names, absolute against its workdir; undefined when it names none. */
export function testReportsPath(env: readonly string[], workdir: string): string | undefined {
  const kv = env.find((e) => e.startsWith(`${TEST_REPORTS_VAR}=`));
  const value = kv?.slice(TEST_REPORTS_VAR.length + 1).trim();
  if (!value) return undefined;
  return path.posix.resolve(workdir || "/", value);
}

/**
 * Read the XML files at `where` in the exec's snapshot and emit one `step.tests` event each (scrubbed).
 * Runs for failed execs too — failing tests are the ones a report must show. A missing path is not an error:
 * a test runner that crashed early writes nothing.
 */
export async function collectTestReports(
  s: Session,
  stepId: string,
  snapshot: Snapshot,
  where: string,
): Promise<void> {
  const files: [string, FileEntry][] = [];
  // a stand-in is made first, outside the reads' catch: a failure to make it (or a dry run's stop) is the step's
  snapshot = await s.lazy.resolve(snapshot);
  try {
    const tree: Tree = await s.runtime.readDirectory(snapshot, where, s.signal);
    for (const [p, e] of Object.entries(tree.entries))
      if (e.type === "file" && p.endsWith(".xml")) files.push([path.posix.join(where, p), e]);
  } catch {
    try {
      const entry = await s.runtime.readFile(snapshot, where, s.signal);
      files.push([where, entry]);
    } catch {
      return;
    }
  }
  files.sort(([a], [b]) => a.localeCompare(b));
  for (const [p, entry] of files.slice(0, MAX_FILES)) {
    if (entry.type !== "file" || entry.size > MAX_BYTES) continue;
    const xml = (await s.store.readBlob(entry.digest)).toString("utf8");
    if (!/<testsuites?[\s>]/.test(xml)) continue;
    s.events.emit({ type: "step.tests", id: stepId, path: p, xml: s.scrub(xml), time: Date.now() });
  }
}
