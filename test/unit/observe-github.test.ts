// GitHub Actions pieces without GitHub: where annotations point, the renderer's groups and masks, the summary's cap.
import { describe, expect, it } from "vitest";
import { findAnnotations, repoPath } from "../../src/observe/github/annotations.js";
import { GithubRenderer } from "../../src/observe/github/github-renderer.js";
import { stepSummary, SUMMARY_LIMIT } from "../../src/observe/github/step-summary.js";
import {
  escapeData,
  escapeProperty,
  errorAnnotation,
} from "../../src/observe/github/workflow-commands.js";
import { RunModelBuilder } from "../../src/observe/run-model.js";

describe("annotations from tool output", () => {
  const ctx = { workdir: "/src", sources: [{ target: "/src", host: "app" }] };
  it("reads the common formats: gcc/eslint-unix, tsc, Python tracebacks, eslint stylish", () => {
    const out = [
      "/src/lib/a.ts:12:5: error: Unexpected any",
      "lib/b.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
      "Traceback (most recent call last):",
      '  File "/src/tests/test_x.py", line 8, in test_x',
      "    assert 1 == 2",
      "AssertionError: 1 != 2",
      "/src/web/c.js",
      "  4:10  error  'x' is defined but never used  no-unused-vars",
      "",
      "see https://example.com:443/x for details",
    ].join("\n");
    expect(findAnnotations(out, ctx)).toEqual([
      { file: "app/lib/a.ts", line: 12, col: 5, message: "error: Unexpected any" },
      {
        file: "app/lib/b.ts",
        line: 3,
        col: 7,
        message: "error TS2322: Type 'string' is not assignable to type 'number'.",
      },
      { file: "app/tests/test_x.py", line: 8, message: "AssertionError: 1 != 2" },
      {
        file: "app/web/c.js",
        line: 4,
        col: 10,
        message: "'x' is defined but never used  no-unused-vars",
      },
    ]);
  });

  it("keeps the first ten of many, and skips duplicates", () => {
    const out = Array.from({ length: 30 }, (_, i) => `src/f.ts:${(i % 15) + 1}:1: e${i}`).join(
      "\n",
    );
    const found = findAnnotations(out, {});
    expect(found.map((a) => a.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("maps container paths to the project's, by the longest folder that came from it", () => {
    const sources = [
      { target: "/work", host: "." },
      { target: "/work/vendor", host: "third_party" },
    ];
    expect(repoPath("/work/vendor/x.c", { sources })).toBe("third_party/x.c");
    expect(repoPath("/work/src/y.c", { sources })).toBe("src/y.c");
    expect(repoPath("z.c", { workdir: "/work", sources })).toBe("z.c");
    expect(repoPath("/home/runner/work/r/r/k.ts", { workspace: "/home/runner/work/r/r" })).toBe(
      "k.ts",
    );
    expect(repoPath("/elsewhere/q.ts", { sources })).toBe("/elsewhere/q.ts");
  });

  it("escapes messages and properties so a command stays one line", () => {
    expect(escapeData("50% done\r\nnext")).toBe("50%25 done%0D%0Anext");
    expect(escapeProperty("a:b,c")).toBe("a%3Ab%2Cc");
    expect(errorAnnotation({ file: "a,b.ts", line: 3, title: "t: x", message: "m\nn" })).toBe(
      "::error file=a%2Cb.ts,line=3,title=t%3A x::m%0An\n",
    );
  });
});

describe("GitHub renderer", () => {
  it("prints a step's output as one group between stop-commands markers, and masks each secret once", () => {
    let text = "";
    const r = new GithubRenderer({ write: (t: string) => (text += t) });
    r.mask("multi\nline-secret");
    r.mask("multi\nline-secret");
    r.emit({ type: "step.start", id: "s1", name: "withExec make", kind: "exec", time: 0 });
    r.emit({
      type: "step.log",
      id: "s1",
      stream: "stdout",
      text: "::add-mask::not-a-command\n",
      time: 1,
    });
    r.emit({ type: "step.end", id: "s1", status: "done", time: 1500 });
    r.emit({ type: "step.start", id: "s2", name: "withExec true", kind: "exec", time: 0 });
    r.emit({ type: "step.end", id: "s2", status: "cached", time: 0 });
    const token = /::stop-commands::([0-9a-f]{16})/.exec(text)?.[1];
    expect(text).toBe(
      "::add-mask::multi%0Aline-secret\n::add-mask::multi\n::add-mask::line-secret\n" +
        "▶ withExec make\n" +
        `::group::✔ withExec make 1.5s\n::stop-commands::${token}\n::add-mask::not-a-command\n::${token}::\n::endgroup::\n` +
        "▶ withExec true\n● withExec true (cached)\n",
    );
  });
});

describe("step summary", () => {
  it("stays under GitHub's 1 MiB limit however much a run printed", () => {
    const b = new RunModelBuilder();
    b.emit({ type: "run.start", runId: "r", time: 0, runtime: "docker", fn: "ci", module: "m" });
    const big = "x".repeat(2000) + "\n";
    for (let i = 0; i < 3000; i++) {
      b.emit({
        type: "step.start",
        id: `s${i}`,
        name: `withExec step ${i} ${"y".repeat(150)}`,
        kind: "exec",
        time: i,
      });
      b.emit({ type: "step.log", id: `s${i}`, stream: "stdout", text: big.repeat(40), time: i });
      b.emit({
        type: "step.end",
        id: `s${i}`,
        status: i % 3 ? "done" : "failed",
        time: i + 1000,
        exitCode: i % 3 ? 0 : 1,
      });
    }
    b.emit({ type: "run.end", runId: "r", time: 5000, ok: false });
    const md = stepSummary(b.model);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(md).toContain("### ❌ gantry call m ci — 5.0s");
    expect(md).toContain("more steps not shown");
  });
});
