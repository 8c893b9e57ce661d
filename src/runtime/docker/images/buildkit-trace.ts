// BuildKit reports progress as `moby.buildkit.trace` lines: base64 protobuf StatusResponse messages with vertexes
// (the Dockerfile's steps) and their log output. This turns them into plain lines for the step's log, and, when the
// build fails, into an error naming the step that failed and the last lines it printed.
import { ImageError } from "../../../errors.js";
import { decodeFields, fieldBytes, fieldString } from "./protobuf-lite.js";

const TAIL_LINES = 20;

interface VertexState {
  n: number;
  name: string;
  started: boolean;
  done: boolean;
  error?: string;
  lines: string[];
  partial: string;
}

export class BuildKitTranscript {
  private readonly vertexes = new Map<string, VertexState>();

  constructor(private readonly emit: (text: string) => void) {}

  /** One trace message (the `aux` of a `moby.buildkit.trace` line). */
  push(auxBase64: string): void {
    const status = decodeFields(Buffer.from(auxBase64, "base64"));
    for (const v of fieldBytes(status, 1)) this.vertex(decodeFields(v));
    for (const l of fieldBytes(status, 3)) this.log(decodeFields(l));
  }

  // Vertex: 1 digest, 3 name, 4 cached, 5 started, 6 completed, 7 error.
  private vertex(f: ReturnType<typeof decodeFields>): void {
    const digest = fieldString(f, 1) ?? "";
    const v = this.state(digest, fieldString(f, 3));
    const cached = f.some((x) => x.no === 4 && x.value === 1);
    if (!v.started && (f.some((x) => x.no === 5) || cached)) {
      v.started = true;
      this.emit(`#${v.n} ${v.name}\n`);
    }
    const error = fieldString(f, 7);
    if (error && !v.error) {
      v.error = error;
      this.flush(v);
      this.emit(`#${v.n} ERROR: ${error}\n`);
    } else if (!v.done && f.some((x) => x.no === 6)) {
      v.done = true;
      this.flush(v);
      this.emit(`#${v.n} ${cached ? "CACHED" : "DONE"}\n`);
    }
  }

  // VertexLog: 1 vertex digest, 3 stream, 4 bytes of output.
  private log(f: ReturnType<typeof decodeFields>): void {
    const v = this.state(fieldString(f, 1) ?? "");
    const [msg] = fieldBytes(f, 4);
    if (!msg) return;
    const parts = (v.partial + msg.toString("utf8")).split(/\r?\n/);
    v.partial = parts.pop() ?? "";
    for (const line of parts) this.line(v, line);
  }

  private line(v: VertexState, line: string): void {
    v.lines.push(line);
    if (v.lines.length > TAIL_LINES * 4) v.lines.splice(0, v.lines.length - TAIL_LINES);
    this.emit(`#${v.n} ${line}\n`);
  }

  private flush(v: VertexState): void {
    if (v.partial !== "") this.line(v, v.partial);
    v.partial = "";
  }

  private state(digest: string, name?: string): VertexState {
    let v = this.vertexes.get(digest);
    if (!v) {
      v = {
        n: this.vertexes.size + 1,
        name: name ?? digest,
        started: false,
        done: false,
        lines: [],
        partial: "",
      };
      this.vertexes.set(digest, v);
    } else if (name && v.name === digest) v.name = name;
    return v;
  }

  /** The build ended with an error line: name the failed step and show what it printed last. */
  failure(dockerfile: string, message: string, cause?: unknown): ImageError {
    const failed =
      [...this.vertexes.values()].reverse().find((v) => v.error) ??
      [...this.vertexes.values()].reverse().find((v) => v.started && !v.done);
    if (failed) this.flush(failed);
    const where = failed ? ` at ${failed.name}` : "";
    const tail = failed?.lines.slice(-TAIL_LINES) ?? [];
    const output = tail.length > 0 ? `\nlast output:\n${tail.map((l) => `  ${l}`).join("\n")}` : "";
    return new ImageError(
      `image build of ${dockerfile} failed${where}: ${message.trim()}${output}`,
      {
        cause,
        hint: failed
          ? "fix that instruction (or what it reads from the context); the build step's log has its full output"
          : "check the Dockerfile's syntax and that the files it names are in the build context",
      },
    );
  }
}
