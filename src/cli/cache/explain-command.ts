// `gantry cache explain [RUN] [STEP]`: why the steps of a past run ran, from its record (nothing is re-run).
import { describeReason } from "../../engine/api/index.js";
import { NotFoundError } from "../../errors.js";
import { durationOf, type RunModel, type StepModel } from "../../observe/run-model.js";
import { findRunRecord, loadRun } from "../../observe/run-records.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { endDetail, MARKS } from "../progress/format-step.js";
import { plural } from "../format-table.js";
import { projectRunsDir } from "../project-runs.js";

export const EXPLAIN_HELP = `Say why the steps of a run did not come from cache, from the run's record.

Usage: gantry cache explain [RUN] [STEP]

  RUN    a run id or the start of one (default: the project's last run)
  STEP   a step: its number as progress shows it (#3 or 3), its id (s3), or words of its name
         (default: every step that ran); #3 or s3 alone is that step of the last run

Each changed input is named: the files of a directory (+added ~changed -removed), an environment
variable, a base image (its content id), the command, a mount, a secret (by name, never its value),
a service binding.
`;

// The step a person names: `#3`/`3`, `s3`, or a unique part of its name.
function pickStep(run: RunModel, query: string): StepModel {
  const n = /^#?(\d+)$/.exec(query);
  const byN = n ? run.steps.find((s) => s.n === Number(n[1])) : undefined;
  const found =
    byN ??
    run.steps.find((s) => s.id === query) ??
    run.steps.filter((s) => s.name.includes(query)).at(-1);
  if (found) return found;
  throw new NotFoundError(`run ${run.runId} has no step ${JSON.stringify(query)}`, {
    hint: `steps are numbered 1–${run.steps.length}; run "gantry cache explain ${run.runId}" to list the ones that ran`,
  });
}

// One step's line and its reasons; a cached step says so.
function explainStep(s: StepModel, maxFiles: number): string {
  const end = {
    type: "step.end" as const,
    id: s.id,
    status: s.status === "running" ? ("cancelled" as const) : s.status,
    time: s.end ?? s.start,
  };
  let text = `#${s.n} ${MARKS[end.status]} ${s.name} ${endDetail({ ...end, ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}) }, s.start, true)}\n`;
  if (s.status === "cached")
    return text + "   came from cache: every input was as in the run that produced it\n";
  if (!s.why?.length)
    return (
      text +
      (s.miss ? `   why: ${s.miss}\n` : "   (no cache decision was recorded for this step)\n")
    );
  for (const r of s.why) {
    text += `   why: ${describeReason(r, maxFiles)}\n`;
    if (r.files && r.files.length > maxFiles && maxFiles > 3)
      text += r.files
        .slice(maxFiles)
        .map((f) => `        ${f}\n`)
        .join("");
  }
  return text;
}

/** Print the explanation of one run (or one of its steps); returns the exit code. */
export function runCacheExplain(globals: GlobalOptions, args: string[], io: CliIo): number {
  if (globals.help) {
    io.stdout.write(EXPLAIN_HELP);
    return 0;
  }
  // `#3` or `s3` alone is a step of the last run: no run id starts with either
  const [runQuery, stepQuery] =
    args.length === 1 && /^(#|s)\d+$/.test(args[0]!) ? [undefined, args[0]] : args;
  const run = loadRun(findRunRecord(projectRunsDir(globals, io), runQuery));
  const what = [run.module, run.fn].filter(Boolean).join(".") || "run";
  const status = run.dryRun
    ? "dry run"
    : run.ok === undefined
      ? "unfinished"
      : run.ok
        ? "ok"
        : "failed";
  io.stdout.write(
    `run ${run.runId} (${what}, ${run.runtime}, ${(durationOf(run) / 1000).toFixed(1)}s, ${status})\n`,
  );
  if (stepQuery !== undefined) {
    io.stdout.write(explainStep(pickStep(run, stepQuery), 50));
    return 0;
  }
  // the steps with a cache decision: execs and image builds (a build runs when its context or Dockerfile changed)
  const decided = run.steps.filter((s) => s.kind === "exec" || s.kind === "build");
  const ran = decided.filter(
    (s) => s.status === "done" || s.status === "failed" || s.status === "would-run",
  );
  const cached = decided.filter((s) => s.status === "cached").length;
  if (ran.length === 0)
    io.stdout.write(
      cached > 0
        ? `every step came from cache (${plural(cached, "step")})\n`
        : "no exec or build step in this run: nothing that could come from cache\n",
    );
  for (const s of ran) io.stdout.write(explainStep(s, 20));
  if (ran.length > 0 && cached > 0)
    io.stdout.write(`${plural(cached, "other step")} came from cache\n`);
  return 0;
}
