// Progress for logs and CI: one prefixed line per step start, end and output line, never redrawn.
import type { RunEvent } from "../../engine/api/index.js";
import {
  debugTag,
  dim,
  endDetail,
  explainLines,
  formatClock,
  MARKS,
  paint,
  splitLines,
  type DetailOptions,
} from "./format-step.js";
import type { ProgressRenderer, TextSink } from "./progress-renderer.js";

interface StepInfo {
  n: number;
  name: string;
  start: number;
  pending: string;
  digest?: string;
}

/** `--progress=plain`: append-only lines, safe for CI logs and pipes. */
export class PlainRenderer implements ProgressRenderer {
  private readonly steps = new Map<string, StepInfo>();
  private counter = 0;

  constructor(
    private readonly out: TextSink,
    private readonly color: boolean,
    private readonly detail: DetailOptions = {},
  ) {}

  // One output line with the clock and the step number, so interleaved parallel steps stay readable.
  private line(time: number, n: number | undefined, text: string): void {
    const prefix = n === undefined ? formatClock(time) : `${formatClock(time)} #${n}`;
    this.out.write(`${dim(prefix, this.color)} ${text}\n`);
  }

  // Starts, output lines, ends and warnings each become lines; run events are left to the trace.
  emit(e: RunEvent): void {
    switch (e.type) {
      case "step.start": {
        const info: StepInfo = { n: ++this.counter, name: e.name, start: e.time, pending: "" };
        if (e.digest) info.digest = e.digest;
        this.steps.set(e.id, info);
        const tag = this.detail.debug ? ` ${dim(debugTag(e.id, e.digest), this.color)}` : "";
        this.line(e.time, info.n, `${paint("running", MARKS.running, this.color)} ${e.name}${tag}`);
        break;
      }
      case "step.log": {
        const info = this.steps.get(e.id);
        if (!info) break;
        const { lines, rest } = splitLines(info.pending, e.text);
        info.pending = rest;
        for (const l of lines) this.line(e.time, info.n, `│ ${l}`);
        break;
      }
      case "step.end":
        this.end(e);
        break;
      case "warning":
        this.line(e.time, undefined, `${paint("cancelled", "⚠", this.color)} ${e.message}`);
        break;
      default:
        break;
    }
  }

  // The end line, then (with --explain or --verbose) why the step ran, one input per line.
  private end(e: Extract<RunEvent, { type: "step.end" }>): void {
    const info = this.steps.get(e.id);
    if (!info) return;
    if (info.pending) this.line(e.time, info.n, `│ ${info.pending}`);
    info.pending = "";
    const withWhy = this.detail.explain || this.detail.verbose;
    const detail = endDetail(e, info.start, withWhy);
    this.line(
      e.time,
      info.n,
      `${paint(e.status, MARKS[e.status], this.color)} ${info.name}${detail ? ` ${detail}` : ""}`,
    );
    if (withWhy)
      for (const l of explainLines(e)) this.line(e.time, info.n, dim(`  ${l}`, this.color));
  }

  // Context lines (the runtime picked) carry the clock but no step number.
  note(text: string): void {
    this.line(Date.now(), undefined, dim(text, this.color));
  }

  // Every line was written as it came.
  stop(): void {}
}
