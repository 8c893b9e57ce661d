// Secrets in use during a run, and the one function that blanks them out of any text leaving the engine.

import { encodedForms } from "./secret-forms.js";

const MASK = "***";

/** Holds the plaintexts of secrets the run has resolved, longest first so overlapping values mask fully. */
export class Scrubber {
  private values: string[] = [];
  private readonly listeners: ((value: string) => void)[] = [];

  /** Be told of every secret value as it is registered, before any output can carry it (GitHub's ::add-mask::). */
  onAdd(listener: (value: string) => void): void {
    this.listeners.push(listener);
    for (const v of this.values) listener(v);
  }

  /**
   * Register a secret value, each of its lines (a multi-line secret split by line output still masks), and its
   * encoded forms (base64, URL and JSON escaping: secret-forms.ts).
   */
  add(value: string): void {
    const lines = value.split(/\r?\n/).map((l) => l.trim());
    // A secret read from a file usually ends with its line break (`echo tok > file`): masking the break with the
    // value would join the line after it to the masked one. The value is masked without it; encoded, with it too.
    const bare = value.replace(/(\r?\n)+$/, "");
    const candidates = [bare, ...lines, ...[value, bare, ...lines].flatMap(encodedForms)];
    let changed = false;
    for (const v of candidates) {
      // Very short values would blank ordinary words; a 1–2 character secret is not protectable by masking.
      if (v.length < 3 || this.values.includes(v)) continue;
      this.values.push(v);
      changed = true;
      for (const l of this.listeners) l(v);
    }
    if (changed) this.values.sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  }

  get size(): number {
    return this.values.length;
  }
}

/** Splits a byte stream into scrubbed lines, so a secret split across chunks is still masked. */
export class LineScrubber {
  /** The unfinished line, in the pieces it came in: only a chunk's own text is searched for a newline (a 24 MB line
   * once took 7 s here, re-split whole at every chunk). */
  private pending: string[] = [];
  constructor(
    private readonly scrubber: Scrubber,
    private readonly emit: (line: string) => void,
  ) {}

  push(chunk: string): void {
    const last = chunk.lastIndexOf("\n");
    if (last < 0) {
      if (chunk !== "") this.pending.push(chunk);
      return;
    }
    const done = this.pending.join("") + chunk.slice(0, last);
    this.pending = last + 1 < chunk.length ? [chunk.slice(last + 1)] : [];
    for (const line of done.split("\n")) this.emit(this.scrubber.scrub(line) + "\n");
  }

  flush(): void {
    const rest = this.pending.join("");
    if (rest) this.emit(this.scrubber.scrub(rest));
    this.pending = [];
  }
}
