// Remembers which step failed, so the error at the end can name it (the ExecError itself only knows the command).
import type { EventSink, RunEvent } from "../engine/api/index.js";

/** A sink on the run's event bus that keeps step names and the last failure. */
export class FailureTracker implements EventSink {
  private readonly names = new Map<string, string>();
  /** Name of the last step that ended failed, e.g. `withExec npm test`. */
  lastFailed: string | undefined;

  // Names are kept from starts, since a step.end carries only the id.
  emit(e: RunEvent): void {
    if (e.type === "step.start") this.names.set(e.id, e.name);
    else if (e.type === "step.end" && e.status === "failed" && e.id !== FUNCTION_STEP_ID) {
      this.lastFailed = this.names.get(e.id);
    }
  }
}

/** Id of the step the CLI emits around the whole function call. */
export const FUNCTION_STEP_ID = "gantry-call";
