// Help for `gantry call`: what functions exist, what flags one takes, what can be chained on its result.
import { toKebabCase } from "../../module/names.js";
import type {
  ModuleSignature,
  ObjectSignature,
  ParamSignature,
  TypeRef,
} from "../../module/signature.js";
import { typeLabel } from "../../module/signature.js";
import { firstLine, formatTable } from "../format-table.js";
import { GLOBAL_FLAGS_HELP } from "../help-text.js";
import { CALL_FLAGS_HELP } from "./call-flags.js";
import { objectCallables, type Callable } from "./callable.js";
import { callablesOf, type CallPlan } from "./plan-call.js";

// Where a defaultPath points, in words: absolute paths start at the context, relative ones at the module's folder.
function describeDefaultPath(p: string): string {
  if (p === "/") return "default: the git repository's root (the module's folder outside git)";
  if (p.startsWith("/"))
    return `default: ${p.slice(1)} from the git repository's root (the module's folder outside git)`;
  if (p === "." || p === "./") return "default: the module's folder";
  return `default: ${p} from the module's folder`;
}

// One flag row: `--source Directory` and its doc, default and requiredness.
function flagRow(p: ParamSignature): [string, string] {
  const left =
    p.type.kind === "boolean"
      ? `--${toKebabCase(p.name)}`
      : `--${toKebabCase(p.name)} ${typeLabel(p.type)}`;
  const notes: string[] = [];
  if (p.defaultPath !== undefined) {
    notes.push(describeDefaultPath(p.defaultPath));
    if (p.ignore?.length) notes.push(`ignores ${p.ignore.join(", ")}`);
  } else if (p.default !== undefined) notes.push(`default: ${p.default}`);
  else if (!p.optional) notes.push("required");
  const doc = p.doc?.replace(/\s*\n\s*/g, " ") ?? "";
  return [left, [doc, notes.length ? `(${notes.join("; ")})` : ""].filter(Boolean).join(" ")];
}

/** A titled flag table, or nothing when there are no flags. */
export function flagsSection(title: string, params: readonly ParamSignature[]): string {
  return params.length === 0 ? "" : `${title}:\n${formatTable(params.map(flagRow))}\n`;
}

// The rows listing callables: name and the first line of the doc.
function callableRows(callables: readonly Callable[]): [string, string][] {
  return callables.map((c) => [c.cliName, firstLine(c.doc)]);
}

// What may follow a result of this type on the command line.
function chainSection(type: TypeRef, sig: ModuleSignature): string {
  const callables = callablesOf(type, sig);
  if (!callables || callables.length === 0) return "";
  return `Chain on the result (${typeLabel(type)}):\n${formatTable(callableRows(callables))}\n`;
}

/** `gantry call --help`: the module's functions and its constructor flags. */
export function functionsHelp(sig: ModuleSignature, main: ObjectSignature): string {
  const doc = main.doc ?? sig.doc;
  return [
    `Call a function of the module ${sig.moduleName} and print its result.\n`,
    "Usage: gantry call [CONSTRUCTOR FLAGS] FUNCTION [FLAGS] [CHAIN...]\n",
    doc ? `${doc}\n` : "",
    `Functions:\n${formatTable(callableRows(objectCallables(main)))}\n`,
    flagsSection("Constructor flags (before or after FUNCTION)", main.constructorParams),
    CALL_FLAGS_HELP,
    GLOBAL_FLAGS_HELP,
    'Run "gantry call FUNCTION --help" for a function\'s flags.\n',
  ]
    .filter(Boolean)
    .join("\n");
}

/** `gantry core --help`: the words a chain starts with, and the command's flags. */
export function coreHelp(roots: readonly Callable[]): string {
  return [
    "Call Gantry's core API (Dagger's) from the command line, without a module, and print the result.\n",
    "Usage: gantry core WORD [FLAGS] [CHAIN...]\n",
    "  e.g. gantry core container from --address=alpine:3.20 with-exec --args=echo,hi stdout\n",
    `Words to start with:\n${formatTable(callableRows(roots))}\n`,
    CALL_FLAGS_HELP.replace("before FUNCTION", "before WORD"),
    GLOBAL_FLAGS_HELP,
    'Run "gantry core WORD [CHAIN...] --help" for a word\'s flags and what can be chained on its result.\n',
  ].join("\n");
}

/** `gantry call --help` where no module is found: the command's usage, and why no functions are listed. */
export function noModuleHelp(why: string): string {
  return [
    "Call a function of a module and print its result.\n",
    "Usage: gantry call [CONSTRUCTOR FLAGS] FUNCTION [FLAGS] [CHAIN...]\n",
    `No functions to list: ${why}\n`,
    CALL_FLAGS_HELP,
    GLOBAL_FLAGS_HELP,
    'In a project (or with -m DIR), "gantry call --help" lists its functions and "gantry call FUNCTION --help" a function\'s flags.\n',
  ].join("\n");
}

/** `gantry call FN [CHAIN…] --help` (or `gantry core WORD …`): the last named step's flags and what its result offers. */
export function callableHelp(plan: CallPlan, sig: ModuleSignature, command = "call"): string {
  const last = plan.steps[plan.steps.length - 1];
  if (!last) return functionsHelp(sig, plan.main);
  const path = plan.steps.map((s) => s.callable.cliName).join(" ");
  const c = last.callable;
  return [
    `Usage: gantry ${command} ${path} [FLAGS] [CHAIN...]\n`,
    c.doc ? `${c.doc}\n` : "",
    flagsSection("Flags", c.params),
    plan.steps.length === 1
      ? flagsSection(`Constructor flags of ${sig.moduleName}`, plan.main.constructorParams)
      : "",
    `Returns: ${typeLabel(c.returns)}\n`,
    chainSection(c.returns, sig),
  ]
    .filter(Boolean)
    .join("\n");
}
