// The terminal view: a live tree redrawn in place at most ten times a second, on stderr.
import type { RunEvent } from "../../engine/api/index.js";
import { dim, type DetailOptions } from "./format-step.js";
import type { ProgressRenderer, TextSink } from "./progress-renderer.js";
import { TtyModel } from "./tty-model.js";

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";

/** `--progress=tty`: owns the bottom of the terminal while a run is live. */
export class TtyRenderer implements ProgressRenderer {
  private readonly model: TtyModel;
  private timer: ReturnType<typeof setInterval> | undefined;
  private height = 0;
  private stopped = false;
  private paused = false;

  constructor(
    private readonly out: TextSink,
    private readonly color: boolean,
    private readonly opts: { intervalMs?: number; now?: () => number; detail?: DetailOptions } = {},
  ) {
    this.model = new TtyModel(color, opts.detail);
  }

  // Events only change the model; the timer draws.
  emit(e: RunEvent): void {
    if (this.stopped) return;
    this.model.apply(e);
    this.ensureTimer();
  }

  // Notes go straight to scrollback.
  note(text: string): void {
    this.model.commit(dim(text, this.color));
    this.ensureTimer();
  }

  // Redraws are driven by a timer, not by events, so a flood of log lines costs at most ten frames a second.
  private ensureTimer(): void {
    if (this.timer || this.stopped || this.paused) return;
    this.out.write(HIDE_CURSOR);
    this.timer = setInterval(() => this.draw(), this.opts.intervalMs ?? 100);
    this.timer.unref();
  }

  /** Replace the previous live region with scrollback lines and the current tree. */
  draw(): void {
    const now = (this.opts.now ?? Date.now)();
    // a terminal that reports no size (0×0 under `script`, some CI consoles) draws as a common one would
    const width = this.out.columns || 100;
    const rows = this.out.rows || 30;
    let text = this.height > 0 ? `\x1b[${this.height}A\r\x1b[J` : "";
    for (const l of this.model.takeCommitted()) text += l + "\n";
    const frame = this.model.frame(now, width, Math.max(3, rows - 2));
    for (const l of frame) text += l + "\n";
    this.height = frame.length;
    if (text) this.out.write(text);
  }

  /** A shell takes the terminal: the live region is erased and the cursor shown; the model keeps taking events. */
  pause(): void {
    if (this.paused || this.stopped) return;
    this.paused = true;
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.out.write((this.height > 0 ? `\x1b[${this.height}A\r\x1b[J` : "") + SHOW_CURSOR);
    this.height = 0;
  }

  /** The shell exited: draw again from here. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.stopped) this.ensureTimer();
  }

  // Final frame: unfinished steps are written out as such, and the cursor comes back.
  stop(): void {
    if (this.stopped) return;
    if (this.timer) clearInterval(this.timer);
    this.model.flushUnfinished((this.opts.now ?? Date.now)());
    this.draw();
    this.stopped = true;
    if (this.timer) this.out.write(SHOW_CURSOR);
    this.timer = undefined;
  }
}
