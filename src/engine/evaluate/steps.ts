// Steps are what a person sees of a run; every timed piece of work goes through here so none is invisible.
import type { MissReason, StepKind, StepStatus } from "../events.js";
import type { Session } from "../session.js";
import { DryRunStop } from "../../errors.js";

export interface StepHandle {
  id: string;
  log(stream: "stdout" | "stderr", text: string): void;
  end(
    status: Exclude<StepStatus, "running">,
    extra?: { miss?: string; why?: MissReason[]; exitCode?: number; error?: string },
  ): void;
}

/** Announce a step; the caller ends it exactly once. */
export function startStep(
  s: Session,
  init: {
    name: string;
    kind: StepKind;
    digest?: string;
    parent?: string;
    command?: string[];
    image?: string;
    workdir?: string;
    sources?: { target: string; host: string }[];
  },
): StepHandle {
  const id = s.nextStepId();
  const command = init.command?.map((a) => s.scrub(a));
  s.events.emit({
    type: "step.start",
    id,
    time: Date.now(),
    ...init,
    name: s.scrub(init.name),
    ...(command ? { command } : {}),
  });
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

/**
 * Under `--dry-run`, a step that would have to do work (run, pull, build, push, export, start) is announced
 * as `would-run` and planning of whatever depends on it stops (DryRunStop). Outside a dry run: nothing.
 */
export function stopIfDryRun(
  s: Session,
  init: { name: string; kind: StepKind },
  miss?: string,
): void {
  if (!s.dryRun) return;
  startStep(s, init).end("would-run", miss ? { miss } : undefined);
  throw new DryRunStop(`dry run: ${s.scrub(init.name)} would run`, { step: s.scrub(init.name) });
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
