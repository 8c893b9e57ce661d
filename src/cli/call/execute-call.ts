// Runs a planned call inside the session: construct the main object, call the function, follow the chain.
import { UsageError } from "../../errors.js";
import type { LoadedModule, SdkModule } from "../../module/load-module.js";
import { materializeArgs, type MaterializeContext } from "../../module/materialize-args.js";
import type { UnknownFlagHook } from "../../module/parse-flags.js";
import { prepareArgs, type PrepareContext, type PreparedArg } from "../../module/prepare-args.js";
import {
  SDK_VALUE_TYPES,
  spreadVariadic,
  type ModuleSignature,
  type TypeRef,
} from "../../module/signature.js";
import type { InvokeContext } from "./callable.js";
import { planChain, type CallPlan, type ChainPlan, type PlannedStep } from "./plan-call.js";

export interface ExecuteDeps {
  sdk: SdkModule;
  loaded: LoadedModule;
  sig: ModuleSignature;
  tokens: readonly string[];
  onUnknown: UnknownFlagHook;
  prepare: PrepareContext;
  materialize: MaterializeContext;
  invoke: InvokeContext;
}

/** The type of a value the chain holds, for planning the words after a step whose declared type was unknown. */
export function runtimeType(value: unknown, sdk: SdkModule, sig: ModuleSignature): TypeRef {
  if (value === undefined || value === null) return { kind: "void" };
  if (typeof value === "string") return { kind: "string" };
  if (typeof value === "number") return { kind: "number" };
  if (typeof value === "boolean") return { kind: "boolean" };
  // a list's items are typed by its first (an empty list has nothing to chain into)
  if (Array.isArray(value)) return { kind: "list", of: runtimeType(value[0], sdk, sig) };
  for (const name of SDK_VALUE_TYPES) {
    if (value instanceof sdk[name]) return { kind: "core", name };
  }
  const cls = (value as object).constructor?.name;
  if (cls && sig.objects.some((o) => o.name === cls)) return { kind: "object", name: cls };
  return { kind: "void" };
}

// One chain step: its arguments become values, then the method runs on the current value.
async function runStep(
  value: unknown,
  step: PlannedStep,
  args: PreparedArg[],
  deps: Omit<ExecuteDeps, "loaded">,
): Promise<unknown> {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    throw new UsageError(
      `there is no result to call ${step.callable.cliName} on: remove it from the command`,
    );
  }
  const values = await materializeArgs(args, deps.materialize);
  return await step.callable.invoke(value, values, deps.invoke);
}

/** Call the planned function and chain; `prepared` holds the checked arguments of the constructor and each step. */
export async function executeCall(
  plan: CallPlan,
  prepared: { ctor: PreparedArg[]; steps: PreparedArg[][] },
  deps: ExecuteDeps,
): Promise<unknown> {
  const ctorArgs = await materializeArgs(prepared.ctor, deps.materialize);
  const main = deps.sig.objects.find((o) => o.name === deps.sig.mainObject);
  const value: unknown = new deps.loaded.mainClass(
    ...spreadVariadic(main?.constructorParams ?? [], ctorArgs),
  );
  return followChain(value, plan, prepared.steps, deps);
}

/**
 * Run the planned steps on `value` (the module's main object, or `dag` for `gantry core`), then plan and run the
 * words whose target type only the running value tells.
 */
export async function followChain(
  start: unknown,
  plan: ChainPlan,
  prepared: PreparedArg[][],
  deps: Omit<ExecuteDeps, "loaded">,
): Promise<unknown> {
  let value = start;
  for (const [i, step] of plan.steps.entries()) {
    value = await runStep(value, step, prepared[i] ?? [], deps);
  }
  // words after a result whose type was not declared are planned now that the value exists
  for (let at = plan.deferredAt; at !== undefined;) {
    const type = runtimeType(value, deps.sdk, deps.sig);
    const more = planChain(deps.tokens, at, type, deps.sig, {
      onUnknown: deps.onUnknown,
      lenient: false,
      describe: "the result",
    });
    for (const step of more.steps) {
      const args = prepareArgs(step.callable.params, step.values, step.owner, deps.prepare);
      value = await runStep(value, step, args, deps);
    }
    at = more.deferredAt;
  }
  return value;
}
