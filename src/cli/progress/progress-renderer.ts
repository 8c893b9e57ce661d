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
  /** Give the terminal up for a while (a shell runs on it): nothing is drawn until resume(). */
  pause?(): void;
  /** Take the terminal back and show what happened meanwhile. */
  resume?(): void;
}
