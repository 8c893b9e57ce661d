// Reads `gantry call [ctor flags] FN [flags] [CHAIN…]` against the module's signature before anything runs.
import { UsageError } from "../../errors.js";
import { matchesName, suggestion } from "../../module/names.js";
import {
  parseFlags,
  type FlagTarget,
  type RawValue,
  type UnknownFlagHook,
} from "../../module/parse-flags.js";
import {
  mainObjectOf,
  typeLabel,
  type ModuleSignature,
  type ObjectSignature,
  type TypeRef,
} from "../../module/signature.js";
import { objectCallables, type Callable } from "./callable.js";
import { coreCallables } from "./core-callables.js";
import { callFlagContext } from "./call-flags.js";

export interface PlannedStep {
  callable: Callable;
  owner: string;
  values: Map<string, RawValue>;
}

export interface ChainPlan {
  steps: PlannedStep[];
  /** Index of the first chain word whose target type is only known once the previous step ran. */
  deferredAt?: number;
  /** `--help` was given: the last step named (or none) is what help is about. */
  help: boolean;
  /** The type the chain's last step returns (what help lists methods of). */
  lastType: TypeRef;
}

export interface CallPlan extends ChainPlan {
  main: ObjectSignature;
  ctorValues: Map<string, RawValue>;
}

/** What can be called on a value of this type; undefined when only the running value can tell. */
export function callablesOf(type: TypeRef, sig: ModuleSignature): Callable[] | undefined {
  if (type.kind === "core") return coreCallables(type.name);
  if (type.kind === "object") {
    const obj = sig.objects.find((o) => o.name === type.name);
    return obj ? objectCallables(obj) : [];
  }
  if (type.kind === "unknown") return undefined;
  // A list of objects chains into each item, as Dagger's CLI does (`members url` lists every member's url).
  if (type.kind === "list") return callablesOf(type.of, sig)?.map(overEach);
  return [];
}

// The callable applied to every item of a list, its result a list.
function overEach(c: Callable): Callable {
  return {
    ...c,
    returns: { kind: "list", of: c.returns },
    invoke: (target, args, ctx) =>
      Promise.all((target as unknown[]).map((item) => c.invoke(item as object, args, ctx))),
  };
}

/** The callable a chain word names, or a usage error that lists what exists and the nearest match. */
export function pick(word: string, callables: Callable[], what: string): Callable {
  const found = callables.find((c) => matchesName(word, c.cliName));
  if (found) return found;
  const names = callables.map((c) => c.cliName);
  if (names.length === 0) {
    throw new UsageError(`${what} has nothing to call: remove "${word}" from the command`);
  }
  throw new UsageError(
    `unknown function "${word}": ${what} has ${names.join(", ")}.${suggestion(word, names)}`,
  );
}

/** A module whose main object has no function: most often methods written without `@func()`. */
export function noFunctions(moduleName: string, className: string): UsageError {
  return new UsageError(
    `${moduleName} has no functions: no method of ${className} is marked @func()`,
    {
      hint: `mark each method to call with @func() (import { func } from "gantry" or "@dagger.io/dagger")`,
    },
  );
}

/** Plan chain words from `start`, given the type the previous step returns; stops where types are unknown. */
export function planChain(
  tokens: readonly string[],
  start: number,
  type: TypeRef,
  sig: ModuleSignature,
  opts: { onUnknown?: UnknownFlagHook; lenient: boolean; describe: string },
): ChainPlan {
  const steps: PlannedStep[] = [];
  let help = false;
  let i = start;
  let current = type;
  let describe = opts.describe;
  while (i < tokens.length) {
    const word = tokens[i] as string;
    if (word === "--") break;
    const callables = callablesOf(current, sig);
    if (callables === undefined) return { steps, deferredAt: i, help, lastType: current };
    const callable = pick(word, callables, `${describe} (${typeLabel(current)})`);
    const step: PlannedStep = { callable, owner: callable.cliName, values: new Map() };
    const target: FlagTarget = { owner: step.owner, params: callable.params, values: step.values };
    const r = parseFlags(tokens, i + 1, [target], opts);
    help ||= r.help;
    steps.push(step);
    i = r.next;
    current = callable.returns;
    describe = callable.cliName;
  }
  return { steps, help, lastType: current };
}

/**
 * The first step (a module function, or `gantry core`'s root word) with its flags — and those of `more` targets,
 * such as the constructor's — then the chain on what it returns.
 */
export function planFirstAndChain(
  tokens: readonly string[],
  at: number,
  first: PlannedStep,
  more: FlagTarget[],
  sig: ModuleSignature,
  opts: { onUnknown: UnknownFlagHook; lenient: boolean },
): ChainPlan {
  const { callable } = first;
  const flags = parseFlags(
    tokens,
    at,
    [{ owner: first.owner, params: callable.params, values: first.values }, ...more],
    opts,
  );
  const chain = planChain(tokens, flags.next, callable.returns, sig, {
    ...opts,
    describe: callable.cliName,
  });
  return { ...chain, steps: [first, ...chain.steps], help: flags.help || chain.help };
}

/** Plan a whole call: constructor flags before (or after) the function, the function, then the chain. */
export function planCall(
  tokens: readonly string[],
  sig: ModuleSignature,
  onUnknown: UnknownFlagHook,
): CallPlan {
  const main = mainObjectOf(sig);
  const lenient = tokens.includes("--help") || tokens.includes("-h");
  const ctorValues = new Map<string, RawValue>();
  const ctor: FlagTarget = {
    owner: sig.moduleName,
    params: main.constructorParams,
    values: ctorValues,
  };
  // before the function a flag is the constructor's or the command's (-o, --json, --runtime…): say both
  const head = parseFlags(tokens, 0, [ctor], {
    onUnknown,
    lenient,
    unknown: callFlagContext("gantry call", `${sig.moduleName}'s constructor`),
  });
  const fnWord = tokens[head.next];
  if (fnWord === undefined || fnWord === "--") {
    if (head.help)
      return {
        main,
        ctorValues,
        steps: [],
        help: true,
        lastType: { kind: "object", name: main.name },
      };
    const names = objectCallables(main).map((c) => c.cliName);
    if (names.length === 0) throw noFunctions(sig.moduleName, main.name);
    throw new UsageError(
      `name a function to call: gantry call FUNCTION; ${sig.moduleName} has ${names.join(", ")}`,
    );
  }
  if (objectCallables(main).length === 0) throw noFunctions(sig.moduleName, main.name);
  const fn = pick(fnWord, objectCallables(main), sig.moduleName);
  const first: PlannedStep = { callable: fn, owner: `function ${fn.cliName}`, values: new Map() };
  const planned = planFirstAndChain(tokens, head.next + 1, first, [ctor], sig, {
    onUnknown,
    lenient,
  });
  return { main, ctorValues, ...planned, help: head.help || planned.help };
}
