// Every run leaves a trace under the project's .gantry/runs/, one event per line, for reports and post-mortems.
import fs from "node:fs";
import path from "node:path";
import type { EventSink, RunEvent } from "../../engine/api/index.js";

/** Appends events to `<dir>/<runId>.jsonl`; events before the run id is known are held and written on open. */
export class TraceWriter implements EventSink {
  private readonly held: RunEvent[] = [];
  private stream: fs.WriteStream | undefined;
  private failed = false;
  file: string | undefined;

  constructor(private readonly dir: string) {}

  /** Start writing the trace of this run. */
  open(runId: string): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      this.file = path.join(this.dir, `${runId}.jsonl`);
      this.stream = fs.createWriteStream(this.file, { flags: "a" });
      // a full disk or a read-only project must not fail the run; the trace is then incomplete
      this.stream.on("error", () => {
        this.failed = true;
      });
      for (const e of this.held.splice(0)) this.stream.write(JSON.stringify(e) + "\n");
    } catch {
      this.failed = true;
    }
  }

  // Held until open(), then streamed; after a write error the trace is given up, never the run.
  emit(e: RunEvent): void {
    if (this.failed) return;
    if (this.stream) this.stream.write(JSON.stringify(e) + "\n");
    else this.held.push(e);
  }

  /** Flush and close the file. */
  close(): Promise<void> {
    const s = this.stream;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }
}
