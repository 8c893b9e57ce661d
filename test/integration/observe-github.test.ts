// Inside GitHub Actions: a folded group per step, error annotations where tools point (ten at most), masks before
// anything else, the step summary; and the secret hunt over every channel a run now writes to.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { observeFixture, type ObserveFixture } from "../helpers/observe-fixture.js";
import { startOtlpReceiver, type OtlpReceiver } from "../helpers/otlp-receiver.js";
import { listRuns } from "../../src/observe/run-records.js";
import { projectStateDir } from "../../src/store/project-state-dir.js";

let f: ObserveFixture;
let rx: OtlpReceiver;
beforeAll(async () => {
  f = observeFixture();
  rx = await startOtlpReceiver();
});
afterAll(() => rx.close());

const ghEnv = (summary: string) => ({
  GITHUB_ACTIONS: "true",
  CI: "true",
  GITHUB_STEP_SUMMARY: summary,
  GITHUB_WORKSPACE: f.mod,
});

describe("GitHub Actions", () => {
  it("groups each step, annotates the failure at its file and line, and appends a summary", async () => {
    const summary = path.join(f.work, "summary-1.md");
    writeFileSync(summary, "earlier step's summary\n");
    const r = await f.gantry(
      [
        "call",
        "--runtime=docker",
        "pipeline",
        "--source=app",
        `--nonce=gh-${Date.now()}`,
        "--fail",
      ],
      ghEnv(summary),
    );
    expect(r.code).toBe(1);
    const err = r.stderr;
    // a group per step with output; its output between stop-commands markers
    expect(err).toMatch(
      /::group::✘ withExec sh -c "mkdir -p reports[^\n]*\n::stop-commands::([0-9a-f]{16})\ntests ran\n\/src\/main\.ts:1:14: error: expected 1, got 2\n::\1::\n::endgroup::\n/,
    );
    expect(err).toMatch(
      /::group::✔ withExec sh -c "sleep 1; echo lint: 2 files ok"[^\n]*\n::stop-commands::[0-9a-f]{16}\nlint: 2 files ok\n/,
    );
    // /src is the project's app/ folder: the annotation points into the repository
    expect(err).toContain(
      '::error file=app/main.ts,line=1,col=14,title=withExec sh -c "mkdir -p reports && cp junit-template.xml reports/junit.xml && sleep 2 && echo tests ran >…::error: expected 1, got 2\n',
    );
    // the summary was appended, not written over
    const md = readFileSync(summary, "utf8");
    expect(md.startsWith("earlier step's summary\n### ❌ gantry call obs pipeline — ")).toBe(true);
    expect(md).toContain("**Tests:** 3 run, 2 passed, 1 failed, 0 skipped");
    expect(md).toMatch(
      /\| \d+ \| withExec sh -c "sleep 1; echo lint: 2 files ok" \| ✅ done \| [\d.]+s \| miss: no earlier result for this step \|/,
    );
    expect(md).toMatch(
      /#### ❌ withExec sh -c "mkdir -p reports[^\n]* — exit code 1\n\n```\ntests ran\n\/src\/main\.ts:1:14: error: expected 1, got 2\n```/,
    );
    expect(statSync(summary).size).toBeLessThan(1024 * 1024);
  });

  it("annotates the first ten errors of a step and no more", async () => {
    const r = await f.gantry(
      ["call", "--runtime=docker", "lint", `--nonce=ten-${Date.now()}`],
      ghEnv(path.join(f.work, "s2.md")),
    );
    expect(r.code).toBe(1);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("::error "));
    expect(errors.length).toBe(10);
    expect(errors[0]).toMatch(
      /^::error file=lib\/f1\.ts,line=1,col=2,title=[^:]+::error: problem 1$/,
    );
    expect(errors[9]).toMatch(/^::error file=lib\/f10\.ts,line=10,col=2,/);
  });
});

describe("the secret hunt over every new channel", () => {
  it("never shows a secret in progress, annotations, summary, spans, the run record or the report", async () => {
    const value = "hunt-secret-value-2718";
    const tokenFile = path.join(f.work, "hunt-token");
    writeFileSync(tokenFile, value);
    const summary = path.join(f.work, "hunt.md");
    const r = await f.gantry(
      [
        "call",
        "--runtime=docker",
        "leak-arg",
        `--token=file:${tokenFile}`,
        `--nonce=hunt-${Date.now()}`,
      ],
      {
        ...ghEnv(summary),
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      },
    );
    expect(r.code).toBe(1);
    const lines = r.stderr.split("\n");
    // the mask comes first, before any line that could carry the value; it is the only place the value is
    const maskAt = lines.indexOf(`::add-mask::${value}`);
    expect(maskAt).toBeGreaterThanOrEqual(0);
    expect(lines.findIndex((l) => l.includes("***"))).toBeGreaterThan(maskAt);
    // not even a part of it: a name cut to length before scrubbing once showed `hunt-secret-value-2…`
    const part = value.slice(0, 12);
    expect(lines.filter((l) => l.includes(part))).toEqual([`::add-mask::${value}`]);
    expect(r.stdout).not.toContain(part);
    // the annotation (the tool pointed at /src/app.ts with the token in its message) is masked
    expect(r.stderr).toMatch(
      /::error file=\/src\/app\.ts,line=4,col=2,title=[^\n]*::bad token \*\*\*\n/,
    );
    const md = readFileSync(summary, "utf8");
    expect(md).toContain("got ***");
    expect(md).not.toContain(part);
    const spans = rx.raw.map((x) => x.body.toString()).join("\n");
    expect(spans).toContain("got ***");
    expect(spans).not.toContain(part);
    const runs = path.join(projectStateDir(f.state, f.mod), "runs");
    const record = readFileSync(path.join(runs, `${listRuns(runs)[0]}.jsonl`), "utf8");
    expect(record).toContain("got ***");
    expect(record).not.toContain(part);
    const report = await f.gantry(["report"]);
    const html = readFileSync(report.stdout.trim(), "utf8");
    expect(html).toContain("got ***");
    expect(html).not.toContain(part);
  });
});
