// `gantry call`: check the command line against the signature, load the module, open a run, call, print.
import { findModule } from "../../module/find-module.js";
import { loadModule, startModuleLoad } from "../../module/load-module.js";
import type { UnknownFlagHook } from "../../module/parse-flags.js";
import { prepareArgs } from "../../module/prepare-args.js";
import { loadSignature } from "../../module/signature-cache.js";
import type { CliIo } from "../cli-io.js";
import type { ErrorContext } from "../error-context.js";
import type { GlobalOptions } from "../global-flags.js";
import { callFlagHook, type ResultOptions } from "./call-flags.js";
import { checkOutputPath, deliverResult } from "./deliver-result.js";
import { callableHelp, functionsHelp, noModuleHelp } from "./call-help.js";
import { executeCall } from "./execute-call.js";
import { planCall } from "./plan-call.js";
import { timedFunctionStep } from "./function-step.js";
import { withCliRun } from "../cli-run.js";
import { checkImageValues, imageDefaults } from "../image-default-hint.js";
import {
  checkUnsupportedCalls,
  prescanModFlag,
  printWarnings,
  runtimeAhead,
} from "./command-helpers.js";
import { prepareRuntime } from "../../runtime/open-runtime.js";
import { functionCliName, mainObjectOf } from "../../module/signature.js";
import { toKebabCase } from "../../module/names.js";
import { daggerCompat } from "../../module/dagger-compat.js";
import { installModulePackages } from "../../module/install-packages.js";
import { loadDependencies } from "../../module/load-dependencies.js";

/** Run `gantry call …`; `rest` is everything after the word `call`. */
export async function runCall(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
  errors: ErrorContext,
): Promise<number> {
  const result: ResultOptions = { json: false };
  const onUnknown: UnknownFlagHook = callFlagHook(globals, result);
  prescanModFlag(rest, globals);
  // the host sandbox probe runs while the module is read
  const runtimeStart = prepareRuntime(runtimeAhead(rest, globals));
  let mod: ReturnType<typeof findModule>;
  try {
    mod = findModule({
      cwd: io.cwd,
      ...(globals.mod !== undefined ? { modDir: globals.mod } : {}),
    });
  } catch (e) {
    // --help answers anywhere, as every other command's does; without a module it has no functions to list
    if (!(globals.help || rest.includes("--help") || rest.includes("-h"))) throw e;
    io.stdout.write(noModuleHelp(e instanceof Error ? e.message : String(e)));
    return 0;
  }
  // the bundle starts before TypeScript reads the signature (when that is not cached): see startModuleLoad
  const ahead = await startModuleLoad(mod, {
    stateDir: io.env.stateDir,
    cwd: io.cwd,
    packages: true,
  });
  const { digest, sdkEntry, sdk } = ahead;
  const { signature: sig } = await loadSignature(mod, { stateDir: io.env.stateDir, digest });
  printWarnings(io, [...mod.warnings, ...sig.warnings]);
  const plan = planCall(rest, sig, onUnknown);
  if (plan.help || globals.help) {
    io.stdout.write(
      plan.steps.length > 0 ? callableHelp(plan, sig) : functionsHelp(sig, plan.main),
    );
    return 0;
  }
  errors.fn = plan.steps[0]?.callable.cliName;
  errors.imageDefaults = [
    plan.main.constructorParams,
    ...plan.steps.map((s) => s.callable.params),
  ].flatMap(imageDefaults);
  const fnName = mainObjectOf(sig).functions.find(
    (f) => toKebabCase(functionCliName(f)) === errors.fn,
  )?.name;
  checkUnsupportedCalls(io, sig.unsupported ?? [], fnName);
  checkImageValues([
    { params: plan.main.constructorParams, values: plan.ctorValues },
    ...plan.steps.map((s) => ({ params: s.callable.params, values: s.values })),
  ]);
  if (result.output !== undefined) checkOutputPath(result.output, io.cwd);
  // every flag is checked, and the module compiled, before an engine is started
  const prepareCtx = { cwd: io.cwd, hostEnv: io.hostEnv, mod };
  const prepared = {
    ctor: prepareArgs(plan.main.constructorParams, plan.ctorValues, sig.moduleName, prepareCtx),
    steps: plan.steps.map((s) => prepareArgs(s.callable.params, s.values, s.owner, prepareCtx)),
  };
  const say = (line: string) => io.stderr.write(`${line}\n`);
  // the module's own packages, then its dagger.json dependencies, before any engine starts
  const nodePaths = ahead.nodePaths ?? (await installModulePackages(mod, io.env.stateDir, say));
  const loaded = await loadModule({
    mod,
    digest: digest.digest,
    signature: sig,
    sdkEntry,
    sdk,
    stateDir: io.env.stateDir,
    cwd: io.cwd,
    nodePaths,
    ...(ahead.bundle ? { bundle: ahead.bundle } : {}),
  });
  const dependencies = await loadDependencies(mod, {
    stateDir: io.env.stateDir,
    cwd: io.cwd,
    sdkEntry,
    sdk,
    say,
  });

  let saved: string | undefined;
  await withCliRun(
    {
      globals,
      io,
      errors,
      projectDir: mod.rootDir,
      label: errors.fn ?? "call",
      module: sig.moduleName,
      argv: ["call", ...rest],
      prepared: runtimeStart,
    },
    async (session) => {
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
      // dag.currentModule() inside the module's code finds this module through the call's async context
      const info = {
        name: mod.name,
        sourceDir: mod.sourceDir,
        workdir: io.cwd,
        compat: daggerCompat(mod),
        dependencies,
      };
      const delivered = await timedFunctionStep(session.events, errors.fn ?? "", () =>
        sdk.runInModule(info, async () =>
          deliverResult(await executeCall(plan, prepared, deps), result, {
            sdk,
            sig,
            cwd: io.cwd,
            scrub: (t) => session.scrub(t),
          }),
        ),
      );
      saved = delivered.saved;
      return delivered.stdout;
    },
  );
  if (saved) io.stderr.write(`${saved}\n`);
  return 0;
}
