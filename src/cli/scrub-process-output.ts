// Module code runs inside the CLI's process: what it prints with console.log goes straight to the terminal, past
// the run's scrubber. While a run is open, every write to the CLI's stdout and stderr goes through the scrubber.
import { RAW_WRITE } from "../observe/raw-write.js";

interface WritableLike {
  write: (...args: never[]) => unknown;
  [RAW_WRITE]?: (text: string) => unknown;
}

/** Scrub every write to `streams` until the returned function is called. */
export function scrubWrites(
  streams: readonly WritableLike[],
  scrub: (t: string) => string,
): () => void {
  const originals = streams.map((s) => s.write);
  streams.forEach((stream, i) => {
    const original = originals[i] as (...args: unknown[]) => unknown;
    const scrubbed = function (this: unknown, chunk: unknown, ...rest: unknown[]): unknown {
      const text =
        typeof chunk === "string"
          ? scrub(chunk)
          : chunk instanceof Uint8Array
            ? scrub(Buffer.from(chunk).toString("utf8"))
            : chunk;
      return original.call(this, text, ...rest);
    };
    stream.write = scrubbed as WritableLike["write"];
    stream[RAW_WRITE] = (text: string) => original.call(stream, text);
  });
  return () =>
    streams.forEach((stream, i) => {
      stream.write = originals[i] as WritableLike["write"];
      delete stream[RAW_WRITE];
    });
}
