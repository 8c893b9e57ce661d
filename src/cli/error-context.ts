// What the entry point's error handler may know about a failed run, filled in as the command gets further.
import type { FailureTracker } from "./failure-tracker.js";
import type { StopSignal } from "../process-exit.js";
import type { ImageDefault } from "./image-default-hint.js";

export interface ErrorContext {
  /** Blanks secrets out of text; set once a run exists. */
  scrub?: (text: string) => string;
  /** The function being called, as typed. */
  fn?: string;
  /** Images that the call's flags name by default: a failed pull of one says which flag picks another. */
  imageDefaults?: ImageDefault[];
  failures?: FailureTracker;
  /** The signal that started the shutdown (Ctrl-C is SIGINT), so a cancellation reads as one, with its exit code. */
  interrupted?: StopSignal;
  /** Gantry's state dir, named when a write fails because its disk is full or read-only. */
  stateDir?: string;
  /** --debug: Gantry's own errors also print their stack (scrubbed), for a bug report. */
  debug?: boolean;
}
