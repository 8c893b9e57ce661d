// After the suite: the repository's fixture and example trees hold nothing the tests wrote (traces, caches, exports).
// Tests work in temp copies and temp state dirs; this catches the one that forgets.
import { execFileSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WATCHED = ["test/fixtures", "examples"];

// Untracked, ignored (a trace under a gitignored .gantry/runs counts) and modified paths under the watched trees.
export function dirtyPaths(): string[] | undefined {
  try {
    const out = execFileSync(
      "git",
      ["status", "--porcelain", "--untracked-files=all", "--ignored", "--", ...WATCHED],
      { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    // node_modules an example installs for itself (npm run example) is the user's, not a test's.
    return out
      .split("\n")
      .filter((l) => l !== "" && !/\/node_modules\//.test(l))
      .sort();
  } catch {
    return undefined; // not a git checkout (a release tarball): nothing to compare with
  }
}

// Remember what was already there (a developer's own edits), and fail the run on anything a test added or changed.
export default function setup(): () => void {
  const before = new Set(dirtyPaths() ?? []);
  return () => {
    const after = dirtyPaths();
    if (!after) return;
    const added = after.filter((l) => !before.has(l));
    if (added.length > 0)
      throw new Error(
        `tests wrote into the repository's ${WATCHED.join(" and ")} trees:\n  ${added.join("\n  ")}\n` +
          "run tests in a temp copy of the fixture (see test/unit/module-test-helpers.ts) and with GANTRY_STATE_DIR set to a temp dir",
      );
  };
}
