// One run as every command needs it: observers on the event bus, a session, Ctrl-C, run.start/end, a dry run's plan.
import type { PreparedRuntime, Session } from "../engine/api/index.js";
import { CancelledError, DryRunStop, ExecError, FunctionError, UsageError } from "../errors.js";
import type { CliIo } from "./cli-io.js";
import type { ErrorContext } from "./error-context.js";
import type { GlobalOptions } from "./global-flags.js";
import { installInterrupts } from "../engine/api/index.js";
import { openObservers } from "./run-observers.js";
import { terminalGate } from "./terminal-gate.js";
import type { CicdResult } from "../observe/otel/span-attributes.js";
import { scrubWrites } from "./scrub-process-output.js";
import { stopReason } from "../process-exit.js";

export interface CliRunOptions {
  globals: GlobalOptions;
  io: CliIo;
  errors: ErrorContext;
  /** The project the run is for: its traces go to `<stateDir>/projects/<id>/runs/`, and relative host paths start here. */
  projectDir: string;
  /** A name for the run in traces (the function or command). */
  label: string;
  /** The module's name, when a module function is called (the pipeline is `module.label`). */
  module?: string;
  /** The command line after `gantry`, for the run record. */
  argv?: readonly string[];
  /** What was started for the runtime while the command read its module (prepareRuntime). */
  prepared?: PreparedRuntime;
}

// The conventions' pipeline result from how the run ended.
function resultOf(failure: unknown, dryRun: boolean, interrupted: boolean): CicdResult {
  if (failure === undefined) return dryRun ? "skip" : "success";
  if (interrupted || failure instanceof CancelledError) return "cancellation";
  if (failure instanceof ExecError || failure instanceof FunctionError) return "failure";
  return (failure as { code?: string }).code === "EXEC_ERROR" ? "failure" : "error";
}

/** Open a session, run `fn` in it, print its text result, clean up; rethrows fn's failure after cleanup. */
export async function withCliRun(
  opts: CliRunOptions,
  fn: (session: Session) => Promise<string | undefined>,
): Promise<void> {
  const { io, errors, globals } = opts;
  errors.debug ||= globals.debug;
  // Loaded on use: `gantry functions` and `--help` never open a run.
  const { EventBus, openSession, EVENTS_VERSION } = await import("../engine/api/index.js");
  const bus = new EventBus();
  const pipeline = opts.module ? `${opts.module}.${opts.label}` : opts.label;
  const obs = await openObservers(bus, { globals, io, projectDir: opts.projectDir, pipeline });
  errors.failures = obs.failures;
  if (globals.interactive && !io.terminal)
    throw new UsageError(
      "--interactive opens a shell on your terminal, and stdin is not a terminal",
      {
        hint: "run gantry call -i from an interactive shell (not from a pipe or a CI job)",
      },
    );
  const { session, note } = await openSession({
    runtime: globals.runtime,
    ...(opts.prepared ? { prepared: opts.prepared } : {}),
    projectDir: opts.projectDir,
    cwd: io.cwd,
    events: bus,
    env: io.env,
    dryRun: globals.dryRun,
    ...(obs.stepEnv ? { stepEnv: obs.stepEnv } : {}),
    ...(io.terminal
      ? { terminals: terminalGate(io.terminal, obs.renderer, globals.interactive) }
      : {}),
  });
  await obs.ready();
  obs.attach(session);
  errors.scrub = (t) => session.scrub(t);
  obs.trace.open(session.runId);
  obs.renderer.note(note);
  if (globals.debug && obs.trace.file) obs.renderer.note(`run record: ${obs.trace.file}`);
  if (globals.dryRun)
    obs.renderer.note("dry run: nothing runs; steps come from cache or would run");
  const runtime = /^runtime: (\S+)/.exec(note)?.[1] ?? "unknown";
  bus.emit({
    type: "run.start",
    runId: session.runId,
    time: Date.now(),
    runtime,
    fn: opts.label,
    v: EVENTS_VERSION,
    ...(opts.module ? { module: opts.module } : {}),
    ...(opts.argv ? { argv: opts.argv.map((a) => session.scrub(withoutSecretCommand(a))) } : {}),
    ...(globals.dryRun ? { dryRun: true } : {}),
  });
  let closing: Promise<string[]> | undefined;
  const finish = (result: CicdResult): Promise<string[]> =>
    (closing ??= (async () => {
      obs.renderer.stop();
      await session.close();
      await obs.trace.close();
      return obs.finish(result);
    })());
  const uninstall = installInterrupts({
    signals: io.signals,
    exit: io.exit,
    say: (t) => io.stderr.write(t),
    shutdown: async (signal) => {
      errors.interrupted = signal;
      session.cancel(stopReason(signal));
      await finish("cancellation");
    },
  });
  let output: string | undefined;
  let failure: unknown;
  const unscrub = scrubWrites([io.stdout, io.stderr], (t) => session.scrub(t));
  try {
    output = await session.run(() => fn(session));
  } catch (e) {
    failure = e;
  } finally {
    unscrub();
  }
  if (globals.dryRun) failure = await endDryRun(session, failure, (t) => obs.renderer.note(t));
  const result = resultOf(failure, globals.dryRun, !!errors.interrupted);
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
  obs.renderer.stop();
  if (output !== undefined && output !== "")
    io.stdout.write(session.scrub(output).replace(/\n?$/, "\n"));
  for (const w of await finish(result)) io.stderr.write(`warning: ${session.scrub(w)}\n`);
  if (session.closeNote) io.stderr.write(`${session.scrub(session.closeNote)}\n`);
  uninstall();
  if (failure !== undefined) throw failure;
}

// A dry run that stopped at a step that would run is a finished plan, not a failure: let parallel branches finish
// planning, then say what would happen.
async function endDryRun(
  session: Session,
  failure: unknown,
  note: (text: string) => void,
): Promise<unknown> {
  if (failure !== undefined && !(failure instanceof DryRunStop)) return failure;
  await session.settle();
  note(
    failure === undefined
      ? "dry run: every step would come from cache"
      : "dry run: the steps marked ○ would run; what depends on their results cannot be planned without running them",
  );
  return undefined;
}

// A `cmd:` secret's command line may hold what it prints (`cmd:echo $TOKEN`, a literal): the record keeps only that
// the flag was a command, as it keeps an env: or file: secret's name (which is no secret).
function withoutSecretCommand(arg: string): string {
  return arg.replace(/^((?:--[\w-]+=)?cmd:(?:\/\/)?).+$/s, "$1***");
}
