// The step a person sees for the function itself (`▶ test` … `✔ test 12.3s`), around everything it evaluates.
import type { EventSink } from "../../engine/api/index.js";
import { CancelledError, DryRunStop } from "../../errors.js";
import { FUNCTION_STEP_ID } from "../failure-tracker.js";

/** Run `fn` inside a step of kind "function" named after the called function. */
export async function timedFunctionStep<T>(
  events: EventSink,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  events.emit({
    type: "step.start",
    id: FUNCTION_STEP_ID,
    name,
    kind: "function",
    time: Date.now(),
  });
  try {
    const value = await fn();
    events.emit({ type: "step.end", id: FUNCTION_STEP_ID, status: "done", time: Date.now() });
    return value;
  } catch (e) {
    const status =
      e instanceof CancelledError ? "cancelled" : e instanceof DryRunStop ? "would-run" : "failed";
    events.emit({ type: "step.end", id: FUNCTION_STEP_ID, status, time: Date.now() });
    throw e;
  }
}
