// Reads `gantry core WORD [FLAGS] [CHAIN…]`: a chain that starts at the root (`dag`) instead of a module's function.
import { UsageError } from "../../errors.js";
import { parseFlags, type UnknownFlagHook } from "../../module/parse-flags.js";
import type { ModuleSignature, ObjectSignature } from "../../module/signature.js";
import { callFlagContext } from "../call/call-flags.js";
import { pick, planFirstAndChain, type CallPlan, type PlannedStep } from "../call/plan-call.js";
import { ROOT_CALLABLES } from "./root-callables.js";

// The root as the planner sees a module's main object: nothing to construct, no functions of its own.
const ROOT: ObjectSignature = {
  name: "Query",
  exported: true,
  constructorParams: [],
  functions: [],
  file: "gantry:core",
};

/** A signature with no module objects: the chain after the first word names SDK objects only. */
export const CORE_SIGNATURE: ModuleSignature = {
  schema: 1,
  moduleName: "core",
  mainObject: ROOT.name,
  objects: [ROOT],
  warnings: [],
};

/** Plan a `gantry core` command line: the command's flags, a root word and its flags, then the chain. */
export function planCore(tokens: readonly string[], onUnknown: UnknownFlagHook): CallPlan {
  const lenient = tokens.includes("--help") || tokens.includes("-h");
  const head = parseFlags(tokens, 0, [], {
    onUnknown,
    lenient,
    unknown: callFlagContext("gantry core"),
  });
  const base = { main: ROOT, ctorValues: new Map() };
  const word = tokens[head.next];
  if (word === undefined || word === "--") {
    if (head.help) return { ...base, steps: [], help: true, lastType: { kind: "void" } };
    throw new UsageError(
      `name what to start from: gantry core WORD, where WORD is one of ${ROOT_CALLABLES.map((c) => c.cliName).join(", ")}`,
      {
        hint: "e.g. gantry core container from --address=alpine:3.20 with-exec --args=echo,hi stdout",
      },
    );
  }
  const root = pick(word, [...ROOT_CALLABLES], "gantry core");
  const first: PlannedStep = { callable: root, owner: root.cliName, values: new Map() };
  const planned = planFirstAndChain(tokens, head.next + 1, first, [], CORE_SIGNATURE, {
    onUnknown,
    lenient,
  });
  return { ...base, ...planned, help: head.help || planned.help };
}
