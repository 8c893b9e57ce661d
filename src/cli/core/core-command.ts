// `gantry core`: Dagger's `dagger core`: a chain on the root (`dag`) with no module, run as `gantry call` runs one.
import { importSdk } from "../../module/load-module.js";
import type { UnknownFlagHook } from "../../module/parse-flags.js";
import { prepareArgs } from "../../module/prepare-args.js";
import { resolveSdkEntry } from "../../module/sdk-entry.js";
import { prepareRuntime } from "../../runtime/open-runtime.js";
import type { CliIo } from "../cli-io.js";
import { withCliRun } from "../cli-run.js";
import type { ErrorContext } from "../error-context.js";
import type { GlobalOptions } from "../global-flags.js";
import { callFlagHook, type ResultOptions } from "../call/call-flags.js";
import { callableHelp, coreHelp } from "../call/call-help.js";
import { runtimeAhead } from "../call/command-helpers.js";
import { checkOutputPath, deliverResult } from "../call/deliver-result.js";
import { followChain } from "../call/execute-call.js";
import { timedFunctionStep } from "../call/function-step.js";
import { CORE_SIGNATURE, planCore } from "./plan-core.js";
import { ROOT_CALLABLES } from "./root-callables.js";

/** Run `gantry core …`; `rest` is everything after the word `core`. */
export async function runCore(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
  errors: ErrorContext,
): Promise<number> {
  const result: ResultOptions = { json: false };
  const onUnknown: UnknownFlagHook = callFlagHook(globals, result);
  const plan = planCore(rest, onUnknown);
  if (plan.help || globals.help) {
    io.stdout.write(
      plan.steps.length > 0 ? callableHelp(plan, CORE_SIGNATURE, "core") : coreHelp(ROOT_CALLABLES),
    );
    return 0;
  }
  const label = plan.steps.map((s) => s.callable.cliName)[0] ?? "core";
  errors.fn = label;
  if (result.output !== undefined) checkOutputPath(result.output, io.cwd);
  const runtimeStart = prepareRuntime(runtimeAhead(rest, globals));
  // every flag is checked before an engine is started; host paths are relative to the cwd, which stands for the
  // project (there is no module)
  const prepare = { cwd: io.cwd, hostEnv: io.hostEnv, mod: { rootDir: io.cwd } };
  const prepared = plan.steps.map((s) =>
    prepareArgs(s.callable.params, s.values, s.owner, prepare),
  );
  const sdk = await importSdk(resolveSdkEntry());
  let saved: string | undefined;
  await withCliRun(
    {
      globals,
      io,
      errors,
      projectDir: io.cwd,
      label: "core",
      argv: ["core", ...rest],
      prepared: runtimeStart,
    },
    async (session) => {
      const deps = {
        sdk,
        sig: CORE_SIGNATURE,
        tokens: rest,
        onUnknown,
        prepare,
        materialize: { dag: sdk.dag, cwd: io.cwd, hostEnv: io.hostEnv },
        invoke: { cwd: io.cwd },
      };
      const delivered = await timedFunctionStep(session.events, label, async () =>
        deliverResult(await followChain(sdk.dag, plan, prepared, deps), result, {
          sdk,
          sig: CORE_SIGNATURE,
          cwd: io.cwd,
          scrub: (t) => session.scrub(t),
        }),
      );
      saved = delivered.saved;
      return delivered.stdout;
    },
  );
  if (saved) io.stderr.write(`${saved}\n`);
  return 0;
}
