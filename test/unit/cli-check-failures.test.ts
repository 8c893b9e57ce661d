// `gantry check`'s failure report: one section per way the checks failed, so a setup every check shares (an install
// that failed) is shown once under all their names, not three times.
import { describe, expect, it } from "vitest";
import { failureSections, type CheckResult } from "../../src/cli/check/run-checks.js";

const failed = (name: string, detail: string): CheckResult => ({
  name,
  status: "failed",
  seconds: 1,
  detail,
});

describe("failureSections", () => {
  it("shows a failure the checks share once, under every name", () => {
    const pip =
      "`pip install -e .` exited with code 1\n  ── errors ──\n  │ ERROR: No matching distribution";
    const text = failureSections([
      failed("format", `task format failed: ${pip}`),
      failed("lint", `task lint failed: ${pip}`),
      failed("test", `task test failed: ${pip}`),
    ]);
    expect(text).toBe(`── format, lint, test (the same failure) ──\n${pip}`);
  });

  it("keeps a section per check when they failed differently", () => {
    const text = failureSections([
      failed("lint", "task lint failed: `flake8` exited with code 1"),
      failed("test", "task test failed: `pytest` exited with code 2"),
    ]);
    expect(text).toBe(
      "── lint ──\ntask lint failed: `flake8` exited with code 1\n\n── test ──\ntask test failed: `pytest` exited with code 2",
    );
  });
});
