// The table a workflow prints: each task, how it ended, how long it took.
import { TaskError } from "../../sdk/index.js";
import type { TaskOutcome } from "./run-task.js";

/** A plain-text table of outcomes, aligned for a terminal. */
export function summaryTable(outcomes: readonly TaskOutcome[]): string {
  const rows = [
    ["task", "result", "time"],
    ...outcomes.map((o) => [
      o.task,
      o.status,
      o.status === "skipped" || o.status === "not run" ? "" : `${o.seconds.toFixed(1)}s`,
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Notes worth reading under the table: every "not checked" reason. */
export function notes(outcomes: readonly TaskOutcome[]): string {
  const lines = outcomes.flatMap((o) =>
    o.output
      .split("\n")
      .filter((l) => l.startsWith("not checked:"))
      .map((l) => `${o.task}: ${l}`),
  );
  return lines.join("\n");
}

/**
 * One error for a stage where several tasks failed: the table, then each failure with its tool's output. The failed
 * tasks' hints come with it (an image that cannot be pulled says what to do), and the first failure is its cause.
 */
export function stageFailure(workflow: string, outcomes: readonly TaskOutcome[]): TaskError {
  const failed = outcomes.filter((o) => o.status === "failed");
  const names = failed.map((o) => o.task);
  const sections = failed.map((o) => o.error?.message ?? o.output);
  const hints = [...new Set(failed.flatMap((o) => (o.error?.hint ? [o.error.hint] : [])))];
  return new TaskError(
    `${workflow} failed: ${names.join(", ")} failed\n\n${summaryTable(outcomes)}\n\n${sections.join("\n\n")}`,
    {
      tasks: names,
      ...(failed[0]?.error ? { cause: failed[0].error } : {}),
      ...(hints.length > 0 ? { hint: hints.join("; ") } : {}),
    },
  );
}
