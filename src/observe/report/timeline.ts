// The timeline's geometry: which steps get a bar, where each bar sits, and which steps form the critical path.
import { durationOf, type RunModel, type StepModel } from "../run-model.js";

export interface Bar {
  step: StepModel;
  /** Left edge and width, in percent of the run's span. */
  left: number;
  width: number;
  critical: boolean;
}

/** Steps worth a bar: work a person waits on (not the function wrapper, which spans everything). */
export function timelineSteps(run: RunModel): StepModel[] {
  return run.steps.filter((s) => s.kind !== "function" && s.end !== undefined);
}

/**
 * The critical path, walked back from the step that ended last: each step's predecessor is the step that
 * ended last before it started (within 50 ms). Events do not carry dependencies, so this is the chain of
 * waits that set the run's length — the usual reading of a build trace, and exact for chains of execs.
 * Cached steps take no time and are never on it.
 */
export function criticalPath(steps: readonly StepModel[]): Set<string> {
  // a cached step costs nothing: it cannot be what the run waited on
  const done = steps.filter((s) => s.end !== undefined && s.status !== "cached");
  const path = new Set<string>();
  let cur = [...done].sort((a, b) => b.end! - a.end!)[0];
  while (cur) {
    path.add(cur.id);
    const start = cur.start;
    cur = done
      .filter((s) => !path.has(s.id) && s.end! <= start + 50 && s.start < start)
      .sort((a, b) => b.end! - a.end!)[0];
  }
  return path;
}

/** One bar per step, one row each in start order: steps that ran at the same time sit side by side. */
export function layoutBars(run: RunModel): { bars: Bar[]; start: number; span: number } {
  const steps = timelineSteps(run).sort((a, b) => a.start - b.start || a.n - b.n);
  const start = Math.min(run.start || Infinity, ...steps.map((s) => s.start));
  const end = Math.max(run.end ?? 0, ...steps.map((s) => s.end ?? s.start));
  const span = Math.max(1, end - start);
  const critical = criticalPath(steps);
  const bars = steps.map((step) => ({
    step,
    left: ((step.start - start) / span) * 100,
    // a cached step takes no time: it still gets a visible sliver
    width: Math.max(0.4, (durationOf(step) / span) * 100),
    critical: critical.has(step.id),
  }));
  return { bars, start, span };
}
