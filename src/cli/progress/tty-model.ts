// The live tree's state: running steps stay in a redrawn region, finished top-level steps collapse into scrollback.
import type { RunEvent } from "../../engine/api/index.js";
import {
  debugTag,
  dim,
  endDetail,
  explainLines,
  formatDuration,
  MARKS,
  paint,
  splitLines,
  type DetailOptions,
  type StepEnd,
} from "./format-step.js";

interface LiveStep {
  id: string;
  name: string;
  parent?: string;
  digest?: string;
  start: number;
  end?: StepEnd;
  logs: string[];
  pending: string;
  children: string[];
}

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const LOG_TAIL_LIVE = 3;
const LOG_TAIL_FAILED = 10;
const LOG_KEEP = 50;
/** With --verbose every line of a step goes to scrollback when it ends; this bounds memory for chatty steps. */
const LOG_KEEP_VERBOSE = 20_000;

/** Steps by id with their parent links, the log tails shown, and lines waiting to go into scrollback. */
export class TtyModel {
  private readonly steps = new Map<string, LiveStep>();
  private roots: string[] = [];
  private committed: string[] = [];

  constructor(
    private readonly color: boolean,
    private readonly detail: DetailOptions = {},
  ) {}

  /** Fold one event into the tree. */
  apply(e: RunEvent): void {
    if (e.type === "step.start") {
      const parent = e.parent !== undefined && this.steps.has(e.parent) ? e.parent : undefined;
      const step: LiveStep = {
        id: e.id,
        name: e.name,
        start: e.time,
        logs: [],
        pending: "",
        children: [],
      };
      if (parent !== undefined) step.parent = parent;
      if (e.digest) step.digest = e.digest;
      this.steps.set(e.id, step);
      if (parent !== undefined) this.steps.get(parent)?.children.push(e.id);
      else this.roots.push(e.id);
    } else if (e.type === "step.log") {
      const s = this.steps.get(e.id);
      if (!s) return;
      const { lines, rest } = splitLines(s.pending, e.text);
      s.pending = rest;
      s.logs.push(...lines);
      const keep = this.detail.verbose ? LOG_KEEP_VERBOSE : LOG_KEEP;
      if (s.logs.length > keep) s.logs.splice(0, s.logs.length - keep);
    } else if (e.type === "step.end") {
      const s = this.steps.get(e.id);
      if (!s) return;
      if (s.pending) s.logs.push(s.pending);
      s.pending = "";
      s.end = e;
      this.commitFinishedRoots();
    } else if (e.type === "warning") {
      this.commit(`${paint("cancelled", "⚠", this.color)} ${e.message}`);
    }
  }

  /** Put a line into scrollback above the live region. */
  commit(line: string): void {
    this.committed.push(line);
  }

  /** Lines to print once, above the live region, since the last call. */
  takeCommitted(): string[] {
    return this.committed.splice(0);
  }

  // A step and everything under it has ended.
  private settled(id: string): boolean {
    const s = this.steps.get(id);
    return !!s?.end && s.children.every((c) => this.settled(c));
  }

  // Finished top-level steps leave the live region as one line, plus the output of whatever failed inside them.
  private commitFinishedRoots(): void {
    const still: string[] = [];
    for (const id of this.roots) {
      if (!this.settled(id)) {
        still.push(id);
        continue;
      }
      this.commitStep(id, "", true);
    }
    this.roots = still;
  }

  // One finished step's line; failures also show their last log lines and failed children.
  // --verbose keeps every step and all its output; --explain adds why each step ran; --debug its id and digest.
  private commitStep(id: string, indent: string, top: boolean): void {
    const s = this.steps.get(id);
    if (!s?.end) return;
    const { verbose, explain, debug } = this.detail;
    const failed = s.end.status === "failed";
    const ran = s.end.status === "done" || failed || s.end.status === "would-run";
    if (top || failed || verbose || (explain && ran)) {
      const detail = endDetail(s.end, s.start, explain || verbose);
      const tag = debug ? ` ${dim(debugTag(s.id, s.digest), this.color)}` : "";
      this.commit(
        `${indent}${paint(s.end.status, MARKS[s.end.status], this.color)} ${s.name}${detail ? ` ${detail}` : ""}${tag}`,
      );
    }
    if (explain || verbose)
      for (const l of explainLines(s.end)) this.commit(`${indent}  ${dim(l, this.color)}`);
    if (verbose) {
      for (const l of s.logs) this.commit(`${indent}  ${dim("│ " + l, this.color)}`);
    } else if (failed) {
      for (const l of s.logs.slice(-LOG_TAIL_FAILED))
        this.commit(`${indent}  ${dim("│ " + l, this.color)}`);
    }
    for (const c of s.children) this.commitStep(c, indent + "  ", false);
    this.steps.delete(id);
  }

  /** The live region: running top-level steps and their subtrees, cut to the terminal's size. */
  frame(now: number, width: number, maxLines: number): string[] {
    const lines: string[] = [];
    const fit = (indent: string, mark: string, text: string): string => {
      const room = Math.max(8, width - indent.length - 3);
      return `${indent}${mark} ${text.length > room ? text.slice(0, room - 1) + "…" : text}`;
    };
    const walk = (id: string, indent: string): void => {
      const s = this.steps.get(id);
      if (!s) return;
      if (s.end) {
        lines.push(
          fit(
            indent,
            paint(s.end.status, MARKS[s.end.status], this.color),
            `${s.name} ${endDetail(s.end, s.start)}`.trim(),
          ),
        );
      } else {
        const spin = SPINNER[Math.floor(now / 100) % SPINNER.length] ?? "·";
        lines.push(
          fit(
            indent,
            paint("running", spin, this.color),
            `${s.name} ${formatDuration(now - s.start)}`,
          ),
        );
        if (s.children.length === 0) {
          for (const l of s.logs.slice(-LOG_TAIL_LIVE))
            lines.push(dim(fit(indent + " ", "│", l), this.color));
        }
      }
      for (const c of s.children) walk(c, indent + "  ");
    };
    for (const id of this.roots) walk(id, "");
    if (lines.length <= maxLines) return lines;
    const shown = lines.slice(0, Math.max(1, maxLines - 1));
    shown.push(dim(`… ${lines.length - shown.length} more lines`, this.color));
    return shown;
  }

  /** Steps that never ended (the run was cut short): commit them as they stand. */
  flushUnfinished(now: number): void {
    for (const id of this.roots) {
      const s = this.steps.get(id);
      if (s && !s.end)
        this.commit(
          `${paint("cancelled", MARKS.cancelled, this.color)} ${s.name} ${formatDuration(now - s.start)} (unfinished)`,
        );
    }
    this.roots = [];
  }
}
