// A run as one value: its steps with times, cache decisions, output and test reports, folded from its events.
// Built live (the step summary) or from a run record (report, cache explain): the same fold for both.
import type { EventSink, MissReason, RunEvent, StepKind, StepStatus } from "../engine/api/index.js";

export interface StepModel {
  id: string;
  /** 1-based, in start order: the `#N` of plain progress. */
  n: number;
  name: string;
  kind: StepKind;
  parent?: string;
  start: number;
  end?: number;
  status: StepStatus;
  digest?: string;
  command?: string[];
  image?: string;
  workdir?: string;
  miss?: string;
  why?: MissReason[];
  exitCode?: number;
  error?: string;
  /** stdout and stderr as they came, interleaved (already scrubbed). */
  output: string;
  tests: { path: string; xml: string }[];
}

export interface RunModel {
  runId: string;
  start: number;
  end?: number;
  ok?: boolean;
  error?: string;
  runtime: string;
  fn?: string;
  module?: string;
  argv?: string[];
  dryRun: boolean;
  steps: StepModel[];
  warnings: string[];
}

/** Folds events into a RunModel; usable as a live EventSink. */
export class RunModelBuilder implements EventSink {
  readonly model: RunModel = {
    runId: "",
    start: 0,
    runtime: "",
    dryRun: false,
    steps: [],
    warnings: [],
  };
  private readonly byId = new Map<string, StepModel>();

  emit(e: RunEvent): void {
    const m = this.model;
    switch (e.type) {
      case "run.start":
        Object.assign(m, { runId: e.runId, start: e.time, runtime: e.runtime, dryRun: !!e.dryRun });
        if (e.fn) m.fn = e.fn;
        if (e.module) m.module = e.module;
        if (e.argv) m.argv = e.argv;
        break;
      case "run.end":
        Object.assign(m, { end: e.time, ok: e.ok });
        if (e.error) m.error = e.error;
        break;
      case "step.start": {
        const { type: _t, time, ...rest } = e;
        const step: StepModel = {
          ...rest,
          n: m.steps.length + 1,
          start: time,
          status: "running",
          output: "",
          tests: [],
        };
        m.steps.push(step);
        this.byId.set(e.id, step);
        break;
      }
      case "step.end": {
        const s = this.byId.get(e.id);
        if (!s) break;
        const { type: _t, time, id: _id, ...rest } = e;
        Object.assign(s, rest, { end: time });
        break;
      }
      case "step.log": {
        const s = this.byId.get(e.id);
        if (s) s.output += e.text;
        break;
      }
      case "step.tests":
        this.byId.get(e.id)?.tests.push({ path: e.path, xml: e.xml });
        break;
      case "warning":
        m.warnings.push(e.message);
        break;
    }
  }
}

/** Parse a run record (JSON lines); a torn last line (a killed run) is skipped. */
export function parseRunRecord(text: string): RunModel {
  const b = new RunModelBuilder();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      b.emit(JSON.parse(line) as RunEvent);
    } catch {
      // a line cut short by a kill: the rest of the record still says what happened
    }
  }
  return b.model;
}

/** Wall time of a step, or of the run: from start to end (or to `now` when it never ended). */
export function durationOf(x: { start: number; end?: number }, now = x.start): number {
  return Math.max(0, (x.end ?? now) - x.start);
}
