// What a run tells the outside world: progress renderers, the trace file and OpenTelemetry all consume these.

export type StepStatus = "running" | "done" | "cached" | "failed" | "cancelled";

export type RunEvent =
  | { type: "run.start"; runId: string; time: number; runtime: string; fn?: string }
  | { type: "run.end"; runId: string; time: number; ok: boolean; error?: string }
  /** A step: an exec, an image pull, a host directory upload, a service start, a function call. */
  | {
      type: "step.start";
      id: string;
      parent?: string;
      name: string;
      kind: "function" | "exec" | "pull" | "host" | "service" | "export" | "build" | "other";
      time: number;
      digest?: string;
    }
  | {
      type: "step.end";
      id: string;
      status: Exclude<StepStatus, "running">;
      time: number;
      /** Why the step was not served from cache, when it was a cache miss. */
      miss?: string;
      exitCode?: number;
      error?: string;
    }
  /** Output of a running step, already scrubbed of secrets. */
  | { type: "step.log"; id: string; stream: "stdout" | "stderr"; text: string; time: number }
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
