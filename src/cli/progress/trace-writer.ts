// Every run leaves a trace in Gantry's state dir (per project, see project-state-dir.ts), one event per line, for reports and post-mortems.
import fs from "node:fs";
import path from "node:path";
import type { EventSink, RunEvent } from "../../engine/api/index.js";

/** Appends events to `<dir>/<runId>.jsonl`; events before the run id is known are held and written on open. */
export class TraceWriter implements EventSink {
  private readonly held: RunEvent[] = [];
  private stream: fs.WriteStream | undefined;
  private failed = false;
  file: string | undefined;

  /** `dir` is the folder, or a function that makes it (called once, on open, where its failure is handled). */
  constructor(private readonly dir: string | (() => string)) {}

  /** Start writing the trace of this run. */
  open(runId: string): void {
    try {
      const dir = typeof this.dir === "string" ? this.dir : this.dir();
      fs.mkdirSync(dir, { recursive: true });
      this.file = path.join(dir, `${runId}.jsonl`);
      this.stream = fs.createWriteStream(this.file, { flags: "a" });
      // a full disk or a read-only state dir must not fail the run; the trace is then incomplete
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
