// Shared wording of steps, so plain and live output read the same: `✔ withExec npm test 1.2s`.
import { describeReason, type RunEvent } from "../../engine/api/index.js";

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

export const MARKS = {
  running: "▶",
  done: "✔",
  cached: "●",
  failed: "✘",
  cancelled: "■",
  "would-run": "○",
} as const;

const COLORS = {
  running: 36,
  done: 32,
  cached: 34,
  failed: 31,
  cancelled: 33,
  "would-run": 35,
} as const;

/** How much a person asked to see, beyond the default (flags --verbose, --debug, --explain). */
export interface DetailOptions {
  /** Every step's output kept in scrollback, nested steps listed as they end. */
  verbose?: boolean;
  /** Step ids and digests, and Gantry's own notes. */
  debug?: boolean;
  /** Every changed input of a step that ran, one line each, with its files. */
  explain?: boolean;
}

/** The `--explain` lines under a step that ran: one per changed input, directories with up to 20 files. */
export function explainLines(end: StepEnd): string[] {
  if (!end.why || end.status === "cached") return [];
  return end.why.map((r) => `why: ${describeReason(r, 20)}`);
}

/** `--debug`: the step's id and the start of its digest, to match a line with the run record. */
export function debugTag(id: string, digest: string | undefined): string {
  return digest ? `[${id} ${digest.replace(/^sha256:/, "").slice(0, 12)}]` : `[${id}]`;
}

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
export function endDetail(end: StepEnd, startedAt: number | undefined, whyFollows = false): string {
  // with --explain the reasons follow one a line, so the line's one-line summary would say the first again
  const miss = whyFollows && explainLines(end).length > 0 ? undefined : end.miss;
  switch (end.status) {
    case "cached":
      return "(cached)";
    case "cancelled":
      return "cancelled";
    case "would-run":
      return miss ? `would run (${miss})` : "would run";
    case "failed":
      if (end.exitCode !== undefined) return `exit ${end.exitCode}`;
      return end.error?.split("\n")[0] ?? took(end, startedAt);
    default: {
      const t = took(end, startedAt);
      return miss ? `${t} (${miss})`.trim() : t;
    }
  }
}

/** Split a log chunk into whole lines, keeping an unfinished tail for the next chunk. */
export function splitLines(pending: string, chunk: string): { lines: string[]; rest: string } {
  const parts = (pending + chunk).split(/\r?\n/);
  const rest = parts.pop() ?? "";
  return { lines: parts, rest };
}
