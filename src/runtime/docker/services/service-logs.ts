// A service's recent output as text: docker's log endpoint frames each chunk with an 8-byte header to demultiplex.
import { Writable } from "node:stream";
import type Dockerode from "dockerode";
import { NotFoundError } from "../../../errors.js";
import { isNotFound } from "../connection/docker-errors.js";

const HEADER = 8;

// The last `tail` lines of stdout and stderr, in the order the engine logged them.
export async function readServiceLogs(
  docker: Dockerode,
  id: string,
  tail: number,
): Promise<string> {
  if (tail <= 0) return "";
  try {
    const raw = await docker.getContainer(id).logs({ stdout: true, stderr: true, tail });
    return demuxFrames(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  } catch (err) {
    if (isNotFound(err)) {
      throw new NotFoundError(`no logs for service container ${id}: it was stopped and removed`, {
        cause: err,
      });
    }
    throw err;
  }
}

// Strip the frame headers (stream byte, 3 zero bytes, big-endian length); output without them is passed as is (a TTY).
export function demuxFrames(buf: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + HEADER <= buf.length && isHeader(buf, at)) {
    const length = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + HEADER, Math.min(buf.length, at + HEADER + length)));
    at += HEADER + length;
  }
  if (at < buf.length) parts.push(buf.subarray(at));
  return Buffer.concat(parts).toString("utf8");
}

// stdin/stdout/stderr (0, 1, 2) followed by three zero bytes.
function isHeader(buf: Buffer, at: number): boolean {
  return (buf[at] ?? 9) <= 2 && buf[at + 1] === 0 && buf[at + 2] === 0 && buf[at + 3] === 0;
}

/** Follow a service's output from its start until it exits or `signal` aborts, a whole line at a time. */
export async function followServiceLogs(
  docker: Dockerode,
  id: string,
  signal: AbortSignal,
  onLine: (line: string) => void,
): Promise<void> {
  if (signal.aborted) return;
  const stream = (await docker
    .getContainer(id)
    .logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream & {
    destroy(): void;
  };
  const lines = { stdout: "", stderr: "" };
  const take = (which: "stdout" | "stderr", chunk: Buffer): void => {
    const parts = (lines[which] + chunk.toString("utf8")).split(/\r?\n/);
    lines[which] = parts.pop() ?? "";
    for (const line of parts) onLine(line);
  };
  const sink = (which: "stdout" | "stderr"): NodeJS.WritableStream =>
    new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        take(which, chunk);
        cb();
      },
    });
  docker.modem.demuxStream(stream, sink("stdout"), sink("stderr"));
  await new Promise<void>((resolve) => {
    const done = (): void => {
      signal.removeEventListener("abort", done);
      for (const which of ["stdout", "stderr"] as const) if (lines[which]) onLine(lines[which]);
      lines.stdout = lines.stderr = "";
      stream.destroy();
      resolve();
    };
    signal.addEventListener("abort", done, { once: true });
    stream.on("end", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}
