// The HTML report of one run: one self-contained file (inline style, no script, no network) a person opens anywhere.
import { describeReason } from "../../engine/api/index.js";
import { parseJunit, totalsOf, type TestCase } from "../junit.js";
import { durationOf, type RunModel, type StepModel } from "../run-model.js";
import { shellJoin } from "../../errors.js";
import { esc, secs, STYLE } from "./html-parts.js";
import { layoutBars, type Bar } from "./timeline.js";

const MARK = {
  running: "▶",
  done: "✔",
  cached: "●",
  failed: "✘",
  cancelled: "■",
  "would-run": "○",
} as const;
/** Lines of a step's output kept in the report: the end, where failures are. */
const LOG_LINES = 2000;

// The status of a step in words, with its cache decision.
function decision(s: StepModel): string {
  if (s.status === "cached") return "from cache";
  if (s.status === "would-run") return `would run${s.miss ? ` — ${s.miss}` : ""}`;
  return s.miss ? `ran: ${s.miss}` : s.kind === "exec" ? "ran" : s.status;
}

// One row of the timeline: the label and its bar.
function barRow(b: Bar): string {
  const s = b.step;
  const cls = ["bar", s.status, b.critical ? "critical" : ""].filter(Boolean).join(" ");
  const tip = `#${s.n} ${s.name} — ${secs(durationOf(s))}, ${decision(s)}`;
  return (
    `<div class="row" data-step="${esc(s.id)}"><div class="label" title="${esc(s.name)}">${MARK[s.status]} ${esc(s.name)}</div>` +
    `<div class="track"><div class="${cls}" style="left:${b.left.toFixed(3)}%;width:${b.width.toFixed(3)}%" title="${esc(tip)}"></div></div></div>`
  );
}

// A step's test cases as a table, failures with their message.
function testsTable(cases: readonly TestCase[]): string {
  const t = totalsOf(cases);
  let html = `<p><strong>Tests:</strong> ${t.total} run, <span class="ok">${t.passed} passed</span>, <span class="failed">${t.failed} failed</span>, ${t.skipped} skipped</p>`;
  html += "<table><tr><th>Suite</th><th>Test</th><th>Result</th><th>Time</th></tr>";
  for (const c of cases) {
    const where = c.file
      ? ` <span class="muted">${esc(c.file)}${c.line ? `:${c.line}` : ""}</span>`
      : "";
    const detail =
      c.message || c.details
        ? `<pre>${esc([c.message, c.details].filter(Boolean).join("\n"))}</pre>`
        : "";
    html += `<tr class="test-${c.status}"><td>${esc(c.suite)}</td><td>${esc(c.name)}${where}${detail}</td><td>${c.status}</td><td>${c.timeSec !== undefined ? `${c.timeSec.toFixed(2)}s` : ""}</td></tr>`;
  }
  return html + "</table>";
}

// Everything known about one step: command, image, digest, cache decision, why, logs, tests.
function stepDetails(s: StepModel, critical: boolean): string {
  const rows: [string, string][] = [];
  if (s.command) rows.push(["command", `<code>${esc(shellJoin(s.command))}</code>`]);
  if (s.image) rows.push(["image", esc(s.image)]);
  if (s.workdir) rows.push(["workdir", esc(s.workdir)]);
  rows.push(["duration", secs(durationOf(s))]);
  rows.push(["cache", esc(decision(s))]);
  if (s.exitCode !== undefined) rows.push(["exit code", String(s.exitCode)]);
  if (s.digest) rows.push(["digest", `<code>${esc(s.digest)}</code>`]);
  if (s.error) rows.push(["error", esc(s.error)]);
  let body = `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
  if (s.why?.length && s.status !== "cached")
    body += `<p><strong>Why it ran</strong></p><ul class="why">${s.why.map((r) => `<li>${esc(describeReason(r, 50))}</li>`).join("")}</ul>`;
  if (s.output) {
    const lines = s.output.replace(/\n$/, "").split("\n");
    const cut =
      lines.length > LOG_LINES
        ? `<p class="muted">last ${LOG_LINES} of ${lines.length} lines</p>`
        : "";
    body += `${cut}<pre class="log">${esc(lines.slice(-LOG_LINES).join("\n"))}</pre>`;
  }
  const cases = s.tests.flatMap((t) => parseJunit(t.xml));
  if (cases.length) body += testsTable(cases);
  const open = s.status === "failed" ? " open" : "";
  const crit = critical ? ' <span class="muted">(critical path)</span>' : "";
  return (
    `<details class="step st-${s.status}" id="step-${esc(s.id)}"${open}><summary>` +
    `<span class="${s.status === "failed" ? "failed" : ""}">${MARK[s.status]}</span> #${s.n} ${esc(s.name)} ` +
    `<span class="muted">${secs(durationOf(s))} · ${esc(decision(s))}</span>${crit}</summary>` +
    `<div class="step-body">${body}</div></details>`
  );
}

/** The whole report. Everything in it comes from the run record, which holds no secret (scrubbed as it was written). */
export function renderReport(run: RunModel): string {
  const { bars } = layoutBars(run);
  const critical = new Set(bars.filter((b) => b.critical).map((b) => b.step.id));
  const title = [run.module, run.fn].filter(Boolean).join(".") || "run";
  const execs = run.steps.filter((s) => s.kind === "exec");
  const cached = execs.filter((s) => s.status === "cached").length;
  const failed = run.steps.filter((s) => s.status === "failed" && s.kind !== "function").length;
  const cases = run.steps.flatMap((s) => s.tests.flatMap((t) => parseJunit(t.xml)));
  const totals = totalsOf(cases);
  const state = run.dryRun
    ? "dry run"
    : run.ok === undefined
      ? "unfinished"
      : run.ok
        ? "passed"
        : "failed";
  const critMs = bars.filter((b) => b.critical).reduce((n, b) => n + durationOf(b.step), 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>gantry ${esc(title)} — ${esc(run.runId)}</title><style>${STYLE}</style></head>
<body><header><h1>${run.ok ? "✔" : "✘"} gantry ${esc(title)} <span class="${run.ok ? "ok" : "failed"}">${state}</span></h1>
<div class="badges muted"><span>run <code>${esc(run.runId)}</code></span><span>${esc(run.runtime)}</span>
<span>${new Date(run.start).toISOString().replace("T", " ").slice(0, 19)} UTC</span><span id="total-time">${secs(durationOf(run))}</span></div>
<div class="badges"><span id="count-steps">${execs.length} exec steps</span><span id="count-cached">${cached} from cache</span>
<span id="count-failed" class="${failed ? "failed" : ""}">${failed} failed</span>${cases.length ? `<span id="test-totals">tests: ${totals.passed}/${totals.total} passed, ${totals.failed} failed, ${totals.skipped} skipped</span>` : ""}</div>
${run.error ? `<p class="failed">${esc(run.error)}</p>` : ""}</header>
<main><h2>Timeline</h2>
<div class="legend"><span><i style="background:var(--ok)"></i>ran</span><span><i style="background:var(--cache)"></i>from cache</span>
<span><i style="background:var(--fail)"></i>failed</span><span><i style="outline:2px solid #fb8500"></i>critical path (${secs(critMs)})</span></div>
<div class="timeline">${bars.map(barRow).join("\n")}</div>
<h2>Steps</h2>
${run.steps.map((s) => stepDetails(s, critical.has(s.id))).join("\n")}
${run.warnings.length ? `<h2>Warnings</h2><ul>${run.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>` : ""}
</main></body></html>
`;
}
