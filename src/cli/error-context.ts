// What the entry point's error handler may know about a failed run, filled in as the command gets further.
import type { FailureTracker } from "./failure-tracker.js";

export interface ErrorContext {
  /** Blanks secrets out of text; set once a run exists. */
  scrub?: (text: string) => string;
  /** The function being called, as typed. */
  fn?: string;
  failures?: FailureTracker;
  /** Set when Ctrl-C started the shutdown, so a cancellation reads as one. */
  interrupted?: boolean;
  /** Gantry's state dir, named when a write fails because its disk is full or read-only. */
  stateDir?: string;
  /** --debug: Gantry's own errors also print their stack (scrubbed), for a bug report. */
  debug?: boolean;
}
