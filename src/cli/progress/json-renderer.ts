// Progress for machines: every RunEvent as one JSON line, nothing else.
import type { RunEvent } from "../../engine/api/index.js";
import type { ProgressRenderer, TextSink } from "./progress-renderer.js";

/** `--progress=json`: the event stream itself, for tools that draw their own view. */
export class JsonRenderer implements ProgressRenderer {
  constructor(private readonly out: TextSink) {}

  // One event, one line: consumers split on newlines.
  emit(e: RunEvent): void {
    this.out.write(JSON.stringify(e) + "\n");
  }

  // Notes are for people; a JSON consumer reads the runtime from run.start.
  note(_text: string): void {}

  // Nothing is buffered, so there is nothing to flush.
  stop(): void {}
}
