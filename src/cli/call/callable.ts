// One thing a chain word can name: a module function, a field, or a method of an SDK object.
import path from "node:path";
import { FunctionError, GantryError } from "../../errors.js";
import {
  functionCliName,
  spreadVariadic,
  type ObjectSignature,
  type ParamSignature,
  type TypeRef,
} from "../../module/signature.js";
import { toKebabCase } from "../../module/names.js";
import { userFrame } from "../../module/user-frame.js";

export interface InvokeContext {
  /** Host paths given to `export` are relative to where the person ran gantry. */
  cwd: string;
}

export interface Callable {
  /** As typed on the command line (kebab-case). */
  cliName: string;
  doc?: string;
  params: ParamSignature[];
  returns: TypeRef;
  invoke(target: object, args: unknown[], ctx: InvokeContext): unknown;
}

/** The functions and fields of a module object, as chain words. */
export function objectCallables(obj: ObjectSignature): Callable[] {
  return obj.functions.map((fn) => {
    const c: Callable = {
      cliName: toKebabCase(functionCliName(fn)),
      params: fn.params,
      returns: fn.returns,
      invoke: (target, args, ctx) => {
        const member = (target as Record<string, unknown>)[fn.name];
        if (fn.kind === "field" || typeof member !== "function") return member;
        return wrapUserError(fn.name, ctx.cwd, () =>
          (member as (...a: unknown[]) => unknown).apply(target, spreadVariadic(fn.params, args)),
        );
      },
    };
    if (fn.doc) c.doc = fn.doc;
    return c;
  });
}

/** A host path typed on the command line, made absolute against the cwd. */
export function hostPathArg(value: unknown, ctx: InvokeContext): string {
  return path.resolve(ctx.cwd, String(value));
}

// An error a module function throws itself (not one of Gantry's) is the pipeline failing, not a Gantry bug;
// its line in the module's source is shown, as a stack trace would, without Gantry's frames.
async function wrapUserError(fnName: string, cwd: string, call: () => unknown): Promise<unknown> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof GantryError || (e as { code?: unknown } | null)?.code === "EXEC_ERROR")
      throw e;
    const err = e instanceof Error ? e : undefined;
    // a TypeError or RangeError is a mistake, not a message the author wrote: name its kind
    const kind = err && err.name !== "Error" ? `${err.name}: ` : "";
    const at = userFrame(err?.stack, cwd);
    throw new FunctionError(
      `function ${fnName} failed: ${kind}${err ? err.message : String(e)}${at ? `\n  at ${at}` : ""}`,
      { cause: e },
    );
  }
}
