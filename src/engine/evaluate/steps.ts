// Steps are what a person sees of a run; every timed piece of work goes through here so none is invisible.
import type { RunEvent } from "../events.js";
import type { Session } from "../session.js";

type StepKind = Extract<RunEvent, { type: "step.start" }>["kind"];

export interface StepHandle {
  id: string;
  log(stream: "stdout" | "stderr", text: string): void;
  end(
    status: "done" | "cached" | "failed" | "cancelled",
    extra?: { miss?: string; exitCode?: number; error?: string },
  ): void;
}

/** Announce a step; the caller ends it exactly once. */
export function startStep(
  s: Session,
  init: { name: string; kind: StepKind; digest?: string; parent?: string },
): StepHandle {
  const id = s.nextStepId();
  s.events.emit({ type: "step.start", id, time: Date.now(), ...init, name: s.scrub(init.name) });
  let ended = false;
  return {
    id,
    log(stream, text) {
      s.events.emit({ type: "step.log", id, stream, text, time: Date.now() });
    },
    end(status, extra) {
      if (ended) return;
      ended = true;
      const error = extra?.error === undefined ? undefined : s.scrub(extra.error);
      s.events.emit({ type: "step.end", id, status, time: Date.now(), ...extra, error });
    },
  };
}

/** Run fn as a step that is done when fn resolves and failed when it throws. */
export async function timedStep<T>(
  s: Session,
  init: { name: string; kind: StepKind },
  fn: () => Promise<T>,
): Promise<T> {
  const step = startStep(s, init);
  try {
    const v = await fn();
    step.end("done");
    return v;
  } catch (e) {
    step.end(s.signal.aborted ? "cancelled" : "failed", {
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  }
}
