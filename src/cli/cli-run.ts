// One run as every command needs it: events to the renderer and the trace, a session, Ctrl-C, run.start/end.
import type { Session } from "../engine/api/index.js";
import { ensureProjectDir } from "../store/project-state-dir.js";
import type { CliIo } from "./cli-io.js";
import type { ErrorContext } from "./error-context.js";
import { FailureTracker } from "./failure-tracker.js";
import type { GlobalOptions } from "./global-flags.js";
import { installInterrupts } from "../engine/api/index.js";
import { createRenderer } from "./progress/create-renderer.js";
import { TraceWriter } from "./progress/trace-writer.js";

export interface CliRunOptions {
  globals: GlobalOptions;
  io: CliIo;
  errors: ErrorContext;
  /** The project the run is for: its traces go to `<stateDir>/projects/<id>/runs/`, and relative host paths start here. */
  projectDir: string;
  /** A name for the run in traces (the function or command). */
  label: string;
}

/** Open a session, run `fn` in it, print its text result, clean up; rethrows fn's failure after cleanup. */
export async function withCliRun(
  opts: CliRunOptions,
  fn: (session: Session) => Promise<string | undefined>,
): Promise<void> {
  const { io, errors } = opts;
  // Loaded on use: `gantry functions` and `--help` never open a run.
  const { EventBus, openSession } = await import("../engine/api/index.js");
  const bus = new EventBus();
  const renderer = createRenderer(opts.globals.progress, io.stderr, io.env);
  const trace = new TraceWriter(() => ensureProjectDir(io.env.stateDir, opts.projectDir, "runs"));
  const failures = new FailureTracker();
  bus.add(renderer).add(trace).add(failures);
  errors.failures = failures;
  const { session, note } = await openSession({
    runtime: opts.globals.runtime,
    projectDir: opts.projectDir,
    cwd: io.cwd,
    events: bus,
    env: io.env,
  });
  errors.scrub = (t) => session.scrub(t);
  trace.open(session.runId);
  renderer.note(note);
  const runtime = /^runtime: (\S+)/.exec(note)?.[1] ?? "unknown";
  bus.emit({ type: "run.start", runId: session.runId, time: Date.now(), runtime, fn: opts.label });
  let closing: Promise<void> | undefined;
  const finish = (): Promise<void> =>
    (closing ??= (async () => {
      renderer.stop();
      await session.close();
      await trace.close();
    })());
  const uninstall = installInterrupts({
    signals: io.signals,
    exit: io.exit,
    say: (t) => io.stderr.write(t),
    shutdown: async () => {
      errors.interrupted = true;
      session.cancel("interrupted by Ctrl-C");
      await finish();
    },
  });
  let output: string | undefined;
  let failure: unknown;
  try {
    output = await session.run(() => fn(session));
  } catch (e) {
    failure = e;
  }
  const error =
    failure === undefined
      ? {}
      : { error: session.scrub(failure instanceof Error ? failure.message : String(failure)) };
  bus.emit({
    type: "run.end",
    runId: session.runId,
    time: Date.now(),
    ok: failure === undefined,
    ...error,
  });
  renderer.stop();
  if (output !== undefined && output !== "")
    io.stdout.write(session.scrub(output).replace(/\n?$/, "\n"));
  await finish();
  uninstall();
  if (failure !== undefined) throw failure;
}
