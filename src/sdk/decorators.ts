// Dagger's module decorators (legacy experimentalDecorators form, and TC39 form): they only record metadata.
import { registerObject } from "./object-registry.js";

export interface ArgumentOptions {
  /**
   * A Directory/File parameter's default, as in Dagger: "/x" starts at the git repository root holding
   * the module (the config's folder outside git); "x", "./x", ".." start at the folder holding
   * gantry.json/dagger.json. Nothing may resolve outside that context.
   */
  defaultPath?: string;
  /** Patterns excluded when the default or given directory is loaded. */
  ignore?: string[];
}

export interface ObjectMetadata {
  functions: Set<string>;
  /** Functions marked @check(): `gantry check` runs them. */
  checks: Set<string>;
  fields: Set<string>;
  arguments: Map<string, Map<number, ArgumentOptions>>;
}

const registry = new WeakMap<object, ObjectMetadata>();

function metaOf(cls: object): ObjectMetadata {
  let m = registry.get(cls);
  if (!m) {
    m = { functions: new Set(), checks: new Set(), fields: new Set(), arguments: new Map() };
    registry.set(cls, m);
  }
  return m;
}

/** Metadata of a class decorated with @object(), or undefined. */
export function getObjectMetadata(cls: unknown): ObjectMetadata | undefined {
  if (typeof cls !== "function") return undefined;
  const m = registry.get(cls);
  return m && objects.has(cls) ? m : undefined;
}

const objects = new WeakSet<object>();

// In legacy decorators a method's target is the prototype; the registry is keyed by the constructor.
function ctorOf(target: object): object {
  return typeof target === "function" ? target : (target as { constructor: object }).constructor;
}

/** Marks a class as a module object whose @func methods are callable from the CLI; exported or not, the loader sees it. */
export function object(): (target: unknown, context?: unknown) => void {
  return (target) => {
    objects.add(target as object);
    metaOf(target as object);
    registerObject(target);
  };
}

/** Marks a method as a callable function. */
export function func(
  _opts: { alias?: string; cache?: string } = {},
): (target: unknown, key?: unknown, desc?: unknown) => void {
  return (target, key) => {
    if (isTc39Context(key)) {
      const ctx = key;
      ctx.addInitializer?.(function (this: unknown) {
        metaOf(ctorOf(this as object)).functions.add(String(ctx.name));
      });
      return;
    }
    metaOf(ctorOf(target as object)).functions.add(String(key));
  };
}

/**
 * Marks a function as a check, as Dagger's `@check()` does: `gantry check` runs every check of the module in
 * parallel and prints a table of the results. A check takes no required arguments; it passes when it returns
 * and fails when it throws. A check that could not look at something says so with a line of its result starting
 * `not checked:`, and the table shows it as "not checked" instead of "passed".
 *
 * @example
 * @object()
 * export class Ci {
 *   @func() @check()
 *   async lint(): Promise<string> {
 *     return dag.container().from("node:22").withExec(["npm", "run", "lint"]).stdout()
 *   }
 * }
 */
export function check(): (target: unknown, key?: unknown, desc?: unknown) => void {
  return (target, key) => {
    if (isTc39Context(key)) {
      const ctx = key;
      ctx.addInitializer?.(function (this: unknown) {
        const m = metaOf(ctorOf(this as object));
        m.functions.add(String(ctx.name));
        m.checks.add(String(ctx.name));
      });
      return;
    }
    const m = metaOf(ctorOf(target as object));
    m.functions.add(String(key));
    m.checks.add(String(key));
  };
}

/** Marks a property as a field exposed on the object. */
export function field(_opts: { alias?: string } = {}): (target: unknown, key?: unknown) => void {
  return (target, key) => {
    if (isTc39Context(key)) return;
    metaOf(ctorOf(target as object)).fields.add(String(key));
  };
}

/** Options for one parameter (legacy parameter decorator). */
export function argument(
  opts: ArgumentOptions = {},
): (target: unknown, key: unknown, index: number) => void {
  return (target, key, index) => {
    const m = metaOf(ctorOf(target as object));
    const name = key === undefined ? "constructor" : String(key);
    let byIndex = m.arguments.get(name);
    if (!byIndex) m.arguments.set(name, (byIndex = new Map()));
    byIndex.set(index, opts);
  };
}

/** Marks an enum for the module's API; enums need no runtime registration here. */
export function enumType(): (target: unknown) => void {
  return () => {};
}

function isTc39Context(x: unknown): x is {
  kind: string;
  name: string | symbol;
  addInitializer?: (f: (this: unknown) => void) => void;
} {
  return typeof x === "object" && x !== null && "kind" in x;
}
