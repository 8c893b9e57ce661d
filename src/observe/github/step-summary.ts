// The Markdown a run appends to $GITHUB_STEP_SUMMARY: a table of steps, what failed and why, test totals — under 1 MiB.
import { parseJunit, totalsOf } from "../junit.js";
import { durationOf, type RunModel, type StepModel } from "../run-model.js";

/** GitHub refuses a step summary over 1 MiB; stay well under it. */
export const SUMMARY_LIMIT = 1024 * 1024 - 16 * 1024;
const ICON = {
  running: "⏳",
  done: "✅",
  cached: "♻️",
  failed: "❌",
  cancelled: "⏹️",
  "would-run": "○",
} as const;

// A table cell: no pipes or newlines, so the table holds.
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ").slice(0, 200);
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

// The steps worth a row: execs and everything that failed or was cut short (pulls and uploads only when slow).
function rowsOf(run: RunModel): StepModel[] {
  return run.steps.filter(
    (s) =>
      s.kind === "exec" || s.kind === "function" || s.status === "failed" || durationOf(s) >= 1000,
  );
}

// The last lines of a failed step's output in a fenced block.
function failureBlock(s: StepModel, lines: number): string {
  const tail = s.output.trimEnd().split("\n").slice(-lines).join("\n").replace(/```/g, "`\u200b``");
  const head = `#### ❌ ${cell(s.name)}${s.exitCode !== undefined ? ` — exit code ${s.exitCode}` : ""}\n`;
  return head + (tail ? `\n\`\`\`\n${tail}\n\`\`\`\n` : "") + "\n";
}

/** The summary, cut (fewer rows, shorter output) until it fits under the limit; secrets already scrubbed by the caller. */
export function stepSummary(run: RunModel, scrub: (t: string) => string = (t) => t): string {
  for (const [maxRows, tailLines] of [
    [500, 30],
    [200, 10],
    [50, 5],
    [20, 0],
  ] as const) {
    const text = scrub(render(run, maxRows, tailLines));
    if (Buffer.byteLength(text) <= SUMMARY_LIMIT) return text;
  }
  return scrub(render(run, 0, 0)).slice(0, SUMMARY_LIMIT / 4);
}

function render(run: RunModel, maxRows: number, tailLines: number): string {
  const ok = run.ok === true;
  const what = [run.module, run.fn].filter(Boolean).join(" ");
  let md = `### ${ok ? "✅" : "❌"} gantry ${run.dryRun ? "dry run" : "call"} ${cell(what)} — ${secs(durationOf(run))}\n\n`;
  const rows = rowsOf(run);
  const cached = rows.filter((s) => s.status === "cached").length;
  const failed = rows.filter((s) => s.status === "failed");
  md += `${rows.length} steps, ${cached} from cache, ${failed.length} failed · run \`${run.runId}\` on ${run.runtime}\n\n`;
  const cases = run.steps.flatMap((s) => s.tests.flatMap((t) => parseJunit(t.xml)));
  if (cases.length) {
    const t = totalsOf(cases);
    md += `**Tests:** ${t.total} run, ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped\n\n`;
  }
  if (maxRows > 0) {
    md += "| # | Step | Result | Time | Cache |\n|---:|---|---|---:|---|\n";
    for (const s of rows.slice(0, maxRows)) {
      const cache = s.status === "cached" ? "hit" : s.miss ? `miss: ${s.miss}` : "";
      md += `| ${s.n} | ${cell(s.name)} | ${ICON[s.status]} ${s.status} | ${secs(durationOf(s))} | ${cell(cache)} |\n`;
    }
    if (rows.length > maxRows) md += `\n_${rows.length - maxRows} more steps not shown._\n`;
    md += "\n";
  }
  for (const s of failed.filter((f) => f.kind !== "function").slice(0, 10))
    md += failureBlock(s, tailLines);
  if (!ok && run.error && failed.length === 0) md += `**Error:** ${cell(run.error)}\n`;
  return md;
}
