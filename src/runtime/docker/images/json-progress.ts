// Pull, import and load answer with a stream of JSON lines; a failure is a line, not an HTTP status.
import type { Readable } from "node:stream";
import { CancelledError } from "../../../errors.js";

export interface ProgressEvent {
  status?: string;
  id?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  /** Extra data: BuildKit's trace messages (base64 protobuf), an image id. */
  aux?: unknown;
}

/** An `error`/`errorDetail` line of a progress stream: the engine's own words, kept whole. */
export class ProgressStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProgressStreamError";
  }
}

const KEPT_EVENTS = 50;

// Read the stream to its end; reject on the first error line (unlike dockerode's followProgress).
export function followJsonProgress(
  stream: Readable,
  signal?: AbortSignal,
  onEvent?: (event: ProgressEvent) => void,
): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ProgressEvent[] = [];
    let pending = "";
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      if (err) {
        stream.destroy();
        reject(err);
      } else resolve(events);
    };
    const onAbort = () =>
      settle(new CancelledError("stopped waiting for the engine: run cancelled"));
    const onLine = (line: string) => {
      const event = parseLine(line);
      if (!event) return;
      const failure = event.errorDetail?.message ?? event.error;
      if (failure) return settle(new ProgressStreamError(failure));
      events.push(event);
      if (events.length > KEPT_EVENTS) events.shift();
      onEvent?.(event);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    });
    stream.on("error", (err) => settle(err));
    stream.on("end", () => {
      onLine(pending);
      settle();
    });
    // A close without an end is a dropped connection, not a finished operation.
    stream.on("close", () => settle(new ProgressStreamError("the engine closed the stream early")));
  });
}

// One JSON line; anything else (blank, a proxy's HTML) is not an event.
function parseLine(line: string): ProgressEvent | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    return JSON.parse(text) as ProgressEvent;
  } catch {
    return undefined;
  }
}
