// `gantry call`: check the command line against the signature, load the module, open a run, call, print.
import path from "node:path";
import { EventBus } from "../../engine/events.js";
import { findModule } from "../../module/find-module.js";
import { importSdk, loadModule } from "../../module/load-module.js";
import type { UnknownFlagHook } from "../../module/parse-flags.js";
import { prepareArgs } from "../../module/prepare-args.js";
import { resolveSdkEntry } from "../../module/sdk-entry.js";
import { loadSignature } from "../../module/signature-cache.js";
import type { CliIo } from "../cli-io.js";
import type { ErrorContext } from "../error-context.js";
import { FailureTracker } from "../failure-tracker.js";
import { consumeGlobalFlag, type GlobalOptions } from "../global-flags.js";
import { installInterrupts } from "../interrupts.js";
import { createRenderer } from "../progress/create-renderer.js";
import { TraceWriter } from "../progress/trace-writer.js";
import { callableHelp, functionsHelp } from "./call-help.js";
import { executeCall } from "./execute-call.js";
import { formatResult } from "./format-result.js";
import { planCall } from "./plan-call.js";
import { timedFunctionStep } from "./function-step.js";
import { prescanModFlag, printWarnings } from "./command-helpers.js";

/** Run `gantry call …`; `rest` is everything after the word `call`. */
export async function runCall(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
  errors: ErrorContext,
): Promise<number> {
  const onUnknown: UnknownFlagHook = (name, inline, tokens, i) =>
    consumeGlobalFlag(globals, name, inline, tokens, i);
  prescanModFlag(rest, globals);
  const mod = findModule({
    cwd: io.cwd,
    ...(globals.mod !== undefined ? { modDir: globals.mod } : {}),
  });
  const { signature: sig, digest } = await loadSignature(mod, { stateDir: io.env.stateDir });
  printWarnings(io, [...mod.warnings, ...sig.warnings]);
  const plan = planCall(rest, sig, onUnknown);
  if (plan.help || globals.help) {
    io.stdout.write(
      plan.steps.length > 0 ? callableHelp(plan, sig) : functionsHelp(sig, plan.main),
    );
    return 0;
  }
  errors.fn = plan.steps[0]?.callable.cliName;
  // every flag is checked, and the module compiled, before an engine is started
  const prepareCtx = { cwd: io.cwd, hostEnv: io.hostEnv, mod };
  const prepared = {
    ctor: prepareArgs(plan.main.constructorParams, plan.ctorValues, sig.moduleName, prepareCtx),
    steps: plan.steps.map((s) => prepareArgs(s.callable.params, s.values, s.owner, prepareCtx)),
  };
  const sdkEntry = resolveSdkEntry();
  const sdk = await importSdk(sdkEntry);
  const loaded = await loadModule({
    mod,
    digest: digest.digest,
    signature: sig,
    sdkEntry,
    sdk,
    cwd: io.cwd,
  });

  const bus = new EventBus();
  const renderer = createRenderer(globals.progress, io.stderr, io.env);
  const trace = new TraceWriter(path.join(mod.rootDir, ".gantry", "runs"));
  const failures = new FailureTracker();
  bus.add(renderer).add(trace).add(failures);
  errors.failures = failures;
  const { openSession } = await import("../../engine/open-session.js");
  const { session, note } = await openSession({
    runtime: globals.runtime,
    projectDir: mod.rootDir,
    cwd: io.cwd,
    events: bus,
    env: io.env,
  });
  errors.scrub = (t) => session.scrub(t);
  trace.open(session.runId);
  renderer.note(note);
  const runtime = /^runtime: (\S+)/.exec(note)?.[1] ?? "unknown";
  bus.emit({
    type: "run.start",
    runId: session.runId,
    time: Date.now(),
    runtime,
    ...(errors.fn ? { fn: errors.fn } : {}),
  });

  let closing: Promise<void> | undefined;
  const finish = (): Promise<void> => {
    closing ??= (async () => {
      renderer.stop();
      await session.close();
      await trace.close();
    })();
    return closing;
  };
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
    output = await session.run(async () => {
      const deps = {
        sdk,
        loaded,
        sig,
        tokens: rest,
        onUnknown,
        prepare: prepareCtx,
        materialize: { dag: sdk.dag, cwd: io.cwd, hostEnv: io.hostEnv },
        invoke: { cwd: io.cwd },
      };
      // one step spans the call and the evaluation of its result, so its time is the whole function's
      return timedFunctionStep(bus, errors.fn ?? "", async () =>
        formatResult(await executeCall(plan, prepared, deps), sdk, sig),
      );
    });
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
  // results before cleanup, so the person does not wait on container removal to see them
  if (output !== undefined && output !== "")
    io.stdout.write(session.scrub(output).replace(/\n?$/, "\n"));
  await finish();
  uninstall();
  if (failure !== undefined) throw failure;
  return 0;
}
