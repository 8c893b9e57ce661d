// Progress inside GitHub Actions: a folded group per step, error annotations on failures, masks for secrets.
import { writeRaw } from "../raw-write.js";
import { randomBytes } from "node:crypto";
import { describeReason, type RunEvent } from "../../engine/api/index.js";
import { findAnnotations } from "./annotations.js";
import {
  addMask,
  errorAnnotation,
  escapeData,
  GROUP_END,
  groupStart,
} from "./workflow-commands.js";

interface Out {
  write(text: string): unknown;
}

interface OpenStep {
  name: string;
  kind: string;
  start: number;
  workdir?: string;
  sources?: { target: string; host: string }[];
  output: string;
}

const MARKS = { done: "✔", cached: "●", failed: "✘", cancelled: "■", "would-run": "○" } as const;
/** Output kept per step for its group and annotations; a step printing more keeps its last part. */
const OUTPUT_KEEP = 2 * 1024 * 1024;

/**
 * Steps run in parallel, and GitHub's groups cannot interleave: a step's output is held and printed as one
 * group when the step ends, with its start announced on one line as it happens. Tool output runs between
 * `::stop-commands::` markers, so a test that prints `::add-mask::` or `::error::` cannot issue commands.
 */
export class GithubRenderer {
  private readonly steps = new Map<string, OpenStep>();
  private readonly masked = new Set<string>();

  constructor(
    private readonly out: Out,
    private readonly opts: { workspace?: string; explain?: boolean } = {},
  ) {}

  /** Ask the runner to blank a secret (each of its lines too) in everything printed after this. */
  mask(value: string): void {
    for (const v of [value, ...value.split(/\r?\n/).map((l) => l.trim())]) {
      if (v.length < 3 || this.masked.has(v)) continue;
      this.masked.add(v);
      // around the scrubber of the CLI's streams: the runner must be told the value itself
      writeRaw(this.out, addMask(v));
    }
  }

  emit(e: RunEvent): void {
    switch (e.type) {
      case "step.start": {
        const s: OpenStep = { name: e.name, kind: e.kind, start: e.time, output: "" };
        if (e.workdir) s.workdir = e.workdir;
        if (e.sources) s.sources = e.sources;
        this.steps.set(e.id, s);
        this.out.write(`▶ ${e.name}\n`);
        break;
      }
      case "step.log": {
        const s = this.steps.get(e.id);
        if (!s) break;
        s.output += e.text;
        if (s.output.length > OUTPUT_KEEP) s.output = s.output.slice(-OUTPUT_KEEP);
        break;
      }
      case "step.end":
        this.end(e);
        break;
      case "warning":
        this.out.write(`::warning::${escapeData(e.message)}\n`);
        break;
      default:
        break;
    }
  }

  // The step's group (its output between stop-commands markers), why it ran, and its annotations if it failed.
  private end(e: Extract<RunEvent, { type: "step.end" }>): void {
    const s = this.steps.get(e.id);
    if (!s) return;
    this.steps.delete(e.id);
    const secs = ((e.time - s.start) / 1000).toFixed(1);
    const detail =
      e.status === "cached"
        ? "(cached)"
        : e.status === "would-run"
          ? "would run"
          : `${secs}s${e.exitCode ? ` exit ${e.exitCode}` : ""}${e.miss ? ` (${e.miss})` : ""}`;
    const title = `${MARKS[e.status]} ${s.name} ${detail}`;
    if (!s.output && e.status !== "failed") {
      this.out.write(`${title}\n`);
    } else {
      const token = randomBytes(8).toString("hex");
      let text = groupStart(title) + `::stop-commands::${token}\n`;
      text += s.output.replace(/\n?$/, "\n");
      if (this.opts.explain) for (const r of e.why ?? []) text += `why: ${describeReason(r, 20)}\n`;
      text += `::${token}::\n` + GROUP_END;
      this.out.write(text);
    }
    if (e.status === "failed" && s.kind !== "function") this.annotate(s, e);
  }

  // Up to ten located errors from the output; without a location, one annotation naming the step and exit code.
  private annotate(s: OpenStep, e: Extract<RunEvent, { type: "step.end" }>): void {
    const found = findAnnotations(s.output, {
      ...(s.workdir ? { workdir: s.workdir } : {}),
      ...(s.sources ? { sources: s.sources } : {}),
      ...(this.opts.workspace ? { workspace: this.opts.workspace } : {}),
    });
    for (const a of found) this.out.write(errorAnnotation({ ...a, title: s.name }));
    if (found.length > 0) return;
    const lastLine = s.output.trim().split("\n").pop() ?? "";
    const why = e.exitCode !== undefined ? `exit code ${e.exitCode}` : (e.error ?? "failed");
    this.out.write(
      errorAnnotation({ title: s.name, message: `${why}${lastLine ? `: ${lastLine}` : ""}` }),
    );
  }

  note(text: string): void {
    this.out.write(`${text}\n`);
  }

  // Steps that never ended (an interrupted run) are listed, so the log says what was cut short.
  stop(): void {
    for (const s of this.steps.values()) this.out.write(`■ ${s.name} (unfinished)\n`);
    this.steps.clear();
  }
}
