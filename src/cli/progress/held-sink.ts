// A text sink that can hold its output for a while: a shell owns the terminal, the lines come after it exits.
import type { TextSink } from "./progress-renderer.js";

/** Passes writes through, except between hold() and release(), when it keeps them in order. */
export class HeldSink implements TextSink {
  private held: string[] | undefined;

  constructor(private readonly out: TextSink) {}

  get isTTY(): boolean | undefined {
    return this.out.isTTY;
  }
  get columns(): number | undefined {
    return this.out.columns;
  }
  get rows(): number | undefined {
    return this.out.rows;
  }

  // Written now, or kept until release().
  write(text: string): void {
    if (this.held) this.held.push(text);
    else this.out.write(text);
  }

  /** Keep what is written from now on. */
  hold(): void {
    this.held ??= [];
  }

  /** Write out what was kept, and pass writes through again. */
  release(): void {
    const kept = this.held;
    this.held = undefined;
    if (kept && kept.length > 0) this.out.write(kept.join(""));
  }
}
