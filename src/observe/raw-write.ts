// While a run is open the CLI's stdout and stderr scrub every write (cli/scrub-process-output.ts). A few writes must
// carry a secret on purpose — GitHub's `::add-mask::VALUE`, which tells the runner what to blank — and go around it.

/** Where a scrubbing stream keeps its original write. */
export const RAW_WRITE = Symbol.for("gantry.rawWrite");

interface Out {
  write(text: string): unknown;
  [RAW_WRITE]?: (text: string) => unknown;
}

/** Write `text` unscrubbed: only for text whose purpose is to name a secret to a masker. */
export function writeRaw(out: Out, text: string): void {
  const raw = out[RAW_WRITE];
  if (raw) raw(text);
  else out.write(text);
}
