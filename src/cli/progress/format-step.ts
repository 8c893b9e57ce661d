// Shared wording of steps, so plain and live output read the same: `✔ withExec npm test 1.2s`.
import type { RunEvent } from "../../engine/api/index.js";

export type StepEnd = Extract<RunEvent, { type: "step.end" }>;

/** `0.4s`, `12.3s`, `2m05s`: short and steady in width. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, "0")}s`;
}

/** `12:00:01` in local time, the prefix of plain lines. */
export function formatClock(time: number): string {
  const d = new Date(time);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, "0"))
    .join(":");
}

export const MARKS = { running: "▶", done: "✔", cached: "●", failed: "✘", cancelled: "■" } as const;

const COLORS = { running: 36, done: 32, cached: 34, failed: 31, cancelled: 33 } as const;

/** Wrap text in an ANSI colour for a status, unless colour is off. */
export function paint(status: keyof typeof COLORS, text: string, color: boolean): string {
  return color ? `\x1b[${COLORS[status]}m${text}\x1b[0m` : text;
}

/** Dim text (logs, notes), unless colour is off. */
export function dim(text: string, color: boolean): string {
  return color ? `\x1b[2m${text}\x1b[0m` : text;
}

// How long a step ran, or nothing when its start was not seen.
function took(end: StepEnd, startedAt: number | undefined): string {
  return startedAt === undefined ? "" : formatDuration(end.time - startedAt);
}

/** What follows a finished step's name: its time, `(cached)`, the exit code or error, the cache-miss reason. */
export function endDetail(end: StepEnd, startedAt: number | undefined): string {
  switch (end.status) {
    case "cached":
      return "(cached)";
    case "cancelled":
      return "cancelled";
    case "failed":
      if (end.exitCode !== undefined) return `exit ${end.exitCode}`;
      return end.error?.split("\n")[0] ?? took(end, startedAt);
    default: {
      const t = took(end, startedAt);
      return end.miss ? `${t} (${end.miss})`.trim() : t;
    }
  }
}

/** Split a log chunk into whole lines, keeping an unfinished tail for the next chunk. */
export function splitLines(pending: string, chunk: string): { lines: string[]; rest: string } {
  const parts = (pending + chunk).split(/\r?\n/);
  const rest = parts.pop() ?? "";
  return { lines: parts, rest };
}
