// The classic builder reports a failure as one line ("returned a non-zero code: 1"); a person needs the
// instruction that failed and what it printed, so the build's output is followed step by step.
import { ImageError } from "../../../errors.js";

/** How many output lines of the failing step an error shows. */
const TAIL_LINES = 20;

/** The classic builder colours a RUN's stderr (`ESC[91m` … `ESC[0m`); logs and errors are plain text. */
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

// Plain text of a chunk of builder output, for step logs and error messages alike.
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** Builder chatter between a step's real output lines: container ids, cache hits, cleanup. */
const NOISE = /^ ---> |^Removing intermediate container |^Successfully (built|tagged) /;

/** The build's output as it streams in: the step running now and the last lines it printed. */
export class BuildTranscript {
  private pending = "";
  private step: string | undefined;
  private lines: string[] = [];

  // Chunks split lines anywhere; only whole lines are interpreted.
  push(chunk: string): void {
    this.pending += chunk;
    const parts = this.pending.split(/\r?\n/);
    this.pending = parts.pop() ?? "";
    for (const line of parts) this.take(line);
  }

  // An error line ended the build: name the step, the engine's message and the step's last output.
  failure(dockerfile: string, message: string, cause?: unknown): ImageError {
    if (this.pending !== "") this.take(this.pending);
    this.pending = "";
    const where = this.step ? ` at ${this.step}` : "";
    const tail = this.lines.slice(-TAIL_LINES);
    const output = tail.length > 0 ? `\nlast output:\n${tail.map((l) => `  ${l}`).join("\n")}` : "";
    return new ImageError(
      `image build of ${dockerfile} failed${where}: ${message.trim()}${output}`,
      {
        cause,
        hint: this.step
          ? "fix that instruction (or what it reads from the context); the build step's log has its full output"
          : "check the Dockerfile's syntax and that the files it names are in the build context",
      },
    );
  }

  // A new step resets the output kept; noise is dropped so the tail shows what the command printed.
  private take(line: string): void {
    const text = stripAnsi(line).trimEnd();
    const step = /^Step \d+\/\d+ : .*/.exec(text);
    if (step) {
      this.step = step[0];
      this.lines = [];
      return;
    }
    if (text === "" || NOISE.test(text)) return;
    this.lines.push(text);
    if (this.lines.length > TAIL_LINES * 4) this.lines.splice(0, this.lines.length - TAIL_LINES);
  }
}
