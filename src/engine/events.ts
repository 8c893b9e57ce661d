// What a run tells the outside world: progress renderers, the run record, OpenTelemetry, the report and CI all consume these.
// The schema is documented in docs/events.md; change both together (and bump EVENTS_VERSION on a breaking change).

/** Version of the event schema, carried by `run.start`. */
export const EVENTS_VERSION = 1;

/** `would-run`: a `--dry-run` found no cached result; nothing was run. */
export type StepStatus = "running" | "done" | "cached" | "failed" | "cancelled" | "would-run";

export type StepKind =
  "function" | "exec" | "pull" | "host" | "service" | "export" | "build" | "publish" | "other";

/** One input of a step that differs from the last run of the same step (why it did not come from cache). */
export interface MissReason {
  /** The input, e.g. `withDirectory /src`, `environment variable NODE_ENV`, `secret variable TOKEN`, `command`. */
  input: string;
  change:
    | "changed"
    | "new"
    | "removed"
    | "first-run"
    | "pruned"
    | "evicted"
    | "not-kept"
    | "unknown"
    | "depends";
  /** For directories: the files that changed, `+added`, `~modified`, `-removed` (at most 50). */
  files?: string[];
  /** How many files changed in all (`files` may be cut). */
  fileCount?: number;
  /** A short non-secret detail: an image's old and new content id, the earlier command. Never a value of a variable or secret. */
  detail?: string;
}

export type RunEvent =
  | {
      type: "run.start";
      runId: string;
      time: number;
      runtime: string;
      fn?: string;
      /** Schema version (EVENTS_VERSION). */
      v?: number;
      /** The module's name, when the run calls a module. */
      module?: string;
      /** The command line after `gantry`, scrubbed. */
      argv?: string[];
      /** True for `--dry-run`: nothing runs, steps end `cached` or `would-run`. */
      dryRun?: boolean;
    }
  | { type: "run.end"; runId: string; time: number; ok: boolean; error?: string }
  /** A step: an exec, an image pull, a host directory upload, a service start, a function call. */
  | {
      type: "step.start";
      id: string;
      parent?: string;
      name: string;
      kind: StepKind;
      time: number;
      digest?: string;
      /** An exec's command (scrubbed of secrets). */
      command?: string[];
      /** The image a step's container started from, when it is an image. */
      image?: string;
      /** The exec's working directory (to turn tool output's paths into project paths). */
      workdir?: string;
      /** Container folders filled from host folders (`/src` ← `app`), relative to where gantry ran. */
      sources?: { target: string; host: string }[];
    }
  | {
      type: "step.end";
      id: string;
      status: Exclude<StepStatus, "running">;
      time: number;
      /** Why the step was not served from cache, when it was a cache miss: one line. */
      miss?: string;
      /** The same, one entry per changed input. */
      why?: MissReason[];
      exitCode?: number;
      error?: string;
    }
  /** Output of a running step, already scrubbed of secrets. */
  | { type: "step.log"; id: string; stream: "stdout" | "stderr"; text: string; time: number }
  /** A test report (JUnit XML) a step left at the path named by GANTRY_TEST_REPORTS, scrubbed. */
  | { type: "step.tests"; id: string; path: string; xml: string; time: number }
  | { type: "warning"; message: string; time: number };

/** Anything that consumes events. Sinks must not throw; a renderer failing must not fail a run. */
export interface EventSink {
  emit(event: RunEvent): void;
}

/** Fan one event stream out to several sinks. */
export class EventBus implements EventSink {
  private readonly sinks: EventSink[] = [];
  add(sink: EventSink): this {
    this.sinks.push(sink);
    return this;
  }
  emit(event: RunEvent): void {
    for (const s of this.sinks) {
      try {
        s.emit(event);
      } catch {
        // a broken renderer must not break the run
      }
    }
  }
}
