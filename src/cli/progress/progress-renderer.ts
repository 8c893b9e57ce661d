// What every progress renderer offers the call command: events in, a note line, and a final stop.
import type { EventSink } from "../../engine/api/index.js";

/** Where renderers write: process.stderr, or a string buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface ProgressRenderer extends EventSink {
  /** A line of context for the person watching (which runtime was picked, and why). */
  note(text: string): void;
  /** Draw the final state and release the terminal; called once, before results are printed. */
  stop(): void;
}
