// Everyone who watches a run, set up from the flags and environment: the progress view (or GitHub's), the run
// record, OpenTelemetry (its SDK imported only when an endpoint is set), and GitHub's step summary.
import fs from "node:fs";
import type { EventBus, Session } from "../engine/api/index.js";
import { gantryVersion } from "../module/gantry-version.js";
import { ensureProjectDir } from "../store/project-state-dir.js";
import type { CliIo } from "./cli-io.js";
import { FailureTracker } from "./failure-tracker.js";
import type { GlobalOptions } from "./global-flags.js";
import { createRenderer, detailOf } from "./progress/create-renderer.js";
import type { ProgressRenderer } from "./progress/progress-renderer.js";
import { TraceWriter } from "./progress/trace-writer.js";
import type { OtelSink } from "../observe/otel/otel-sink.js";
import type { CicdResult } from "../observe/otel/span-attributes.js";
import type { RunModelBuilder } from "../observe/run-model.js";

export interface RunObservers {
  renderer: ProgressRenderer;
  trace: TraceWriter;
  failures: FailureTracker;
  /** Per-exec variables for openSession (TRACEPARENT), when spans are exported. */
  stepEnv?: (stepId: string) => Record<string, string> | undefined;
  /** Resolves once every observer is on the bus (the OpenTelemetry SDK loads while the session opens). */
  ready(): Promise<void>;
  /** Call once the session exists: masks and scrubbing reach every observer. */
  attach(session: Session): void;
  /** Flush what is buffered (spans, the step summary); returns warnings to print. */
  finish(result: CicdResult): Promise<string[]>;
}

/** Build the observers of one run and add them to the bus. */
export async function openObservers(
  bus: EventBus,
  opts: { globals: GlobalOptions; io: CliIo; projectDir: string; pipeline: string },
): Promise<RunObservers> {
  const { globals, io } = opts;
  const env = io.env;
  const detail = detailOf(globals);
  const github =
    env.githubActions && (globals.progress === "auto" || globals.progress === "plain")
      ? new (await import("../observe/github/github-renderer.js")).GithubRenderer(io.stderr, {
          ...(env.githubWorkspace ? { workspace: env.githubWorkspace } : {}),
          explain: detail.explain || detail.verbose,
        })
      : undefined;
  const renderer: ProgressRenderer =
    github ??
    createRenderer(globals.progress, io.stderr, env, { noColor: globals.noColor, detail });
  const trace = new TraceWriter(() => ensureProjectDir(env.stateDir, opts.projectDir, "runs"));
  const failures = new FailureTracker();
  bus.add(renderer).add(trace).add(failures);
  // The SDK takes a few hundred ms to import: it loads while the session opens, and joins the bus before run.start.
  const { otelEnabled } = await import("../observe/otel/otel-config.js");
  let otel: OtelSink | undefined;
  const otelLoading = otelEnabled(env)
    ? openOtel(opts, (t) => renderer.note(t)).then(
        (sink) => {
          otel = sink;
          if (sink) bus.add(sink);
        },
        // telemetry that cannot start must not stop the run
        (e: unknown) =>
          renderer.note(`warning: OpenTelemetry could not start: ${(e as Error).message}`),
      )
    : Promise.resolve();
  let summary: RunModelBuilder | undefined;
  if (env.githubActions && env.githubStepSummary) {
    const { RunModelBuilder } = await import("../observe/run-model.js");
    summary = new RunModelBuilder();
    bus.add(summary);
  }
  let scrub = (t: string) => t;
  return {
    renderer,
    trace,
    failures,
    ...(otelEnabled(env) ? { stepEnv: (id: string) => otel?.traceparentFor(id) } : {}),
    ready: () => otelLoading,
    attach(session) {
      scrub = (t) => session.scrub(t);
      if (otel) otel.scrub = scrub; // ready() has resolved: the sink, if any, exists
      // ::add-mask:: goes out the moment a secret is known, before any line that could carry it
      if (github) session.scrubber.onAdd((v) => github.mask(v));
    },
    async finish(result) {
      const warnings: string[] = [];
      if (otel) {
        otel.runResult = result;
        const problem = await otel.shutdown();
        if (problem) warnings.push(problem);
      }
      if (summary && env.githubStepSummary) {
        const { stepSummary } = await import("../observe/github/step-summary.js");
        try {
          fs.appendFileSync(env.githubStepSummary, stepSummary(summary.model, scrub));
        } catch (e) {
          warnings.push(
            `could not write the step summary to ${env.githubStepSummary}: ${(e as Error).message}`,
          );
        }
      }
      return warnings;
    },
  };
}

// The exporter, when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces one) is set: the SDK is imported only then.
async function openOtel(
  opts: { globals: GlobalOptions; io: CliIo; projectDir: string; pipeline: string },
  note: (text: string) => void,
): Promise<OtelSink | undefined> {
  const env = opts.io.env;
  const { otelConfig } = await import("../observe/otel/otel-config.js");
  const { config, problem } = otelConfig(env);
  if (!config) {
    note(`warning: ${problem}`);
    return undefined;
  }
  const [{ startOtelSink }, { readGitInfo }] = await Promise.all([
    import("../observe/otel/otel-sink.js"),
    import("../observe/git-info.js"),
  ]);
  const sink = await startOtelSink({
    config,
    version: gantryVersion(),
    ...(env.traceparent ? { parent: env.traceparent } : {}),
    vcs: await readGitInfo(opts.projectDir),
    pipeline: opts.pipeline,
  });
  if (opts.globals.debug) note(`OpenTelemetry: spans to ${config.url} (${config.protocol})`);
  return sink;
}
