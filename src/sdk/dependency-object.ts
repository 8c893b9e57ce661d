// A dependency's objects as Dagger's generated client presents them: their calls run as that module's code, fields
// are read with a call, and a call's object result (or a pending one) can be chained before anything is awaited.
import { runInModule, type ModuleInfo } from "./current-module.js";

/** What the caller's side knows of one of a dependency's object types (from the dependency's signature). */
export interface DependencyType {
  /** Members read as properties; Dagger's client reads them with a call (`await team.name()`). */
  fields: ReadonlySet<string>;
  /** The dependency's object type each member returns (or lists), by type name. */
  results: ReadonlyMap<string, string>;
  /** Members whose result is an object (the dependency's or a core one): a field call gives it at once to chain on. */
  objects: ReadonlySet<string>;
}

/** A dependency's object types by name. */
export type DependencyTypes = ReadonlyMap<string, DependencyType>;

// The instance behind a wrapper, for handing an object back to its module's functions.
const TARGET = Symbol("gantry.dependencyTarget");

/**
 * Wrap an object of a dependency module for its caller.
 *
 * @example
 * const greeting = await dependencyObject(new Hello(), info, "Hello", types).hello({ giant: true })
 */
export function dependencyObject(
  instance: unknown,
  info: ModuleInfo,
  typeName: string,
  types: DependencyTypes,
): unknown {
  const type = types.get(typeName);
  if (!type || instance === null || typeof instance !== "object") return instance;
  const wrap = (member: string, v: unknown) => wrapResult(v, type.results.get(member), info, types);
  return new Proxy(instance, {
    get(target, prop, receiver) {
      if (prop === TARGET) return target;
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== "string" || prop === "constructor") return value;
      // printed or sent as JSON (a function returning it, `--json`), it is the object's own fields, not calls
      if (prop === "toJSON" && value === undefined) return () => target;
      if (type.fields.has(prop)) {
        const result = wrap(prop, value);
        return () => (type.objects.has(prop) ? result : Promise.resolve(result));
      }
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const out = runInModule(info, () =>
          (value as (...a: unknown[]) => unknown).apply(target, args.map(unwrap)),
        );
        return isThenable(out)
          ? chainable(Promise.resolve(out).then((v) => wrap(prop, v)))
          : wrap(prop, out);
      };
    },
  });
}

// A list maps over its items; an object of a dependency type is wrapped; anything else (scalars, core objects) as is.
function wrapResult(
  v: unknown,
  declared: string | undefined,
  info: ModuleInfo,
  types: DependencyTypes,
): unknown {
  if (Array.isArray(v)) return v.map((item) => wrapResult(item, declared, info, types));
  if (v === null || typeof v !== "object" || (v as Record<symbol, unknown>)[TARGET]) return v;
  // an undeclared result (`any`, an untyped function) is known by its class
  const name = declared ?? (v as object).constructor?.name;
  return name ? dependencyObject(v, info, name, types) : v;
}

// The dependency's own code sees its instances, not the caller's wrappers (in lists and option objects too).
function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v === null || typeof v !== "object") return v;
  const target = (v as Record<symbol, unknown>)[TARGET];
  if (target) return target;
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, unwrap(item)]));
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

/**
 * A promise whose methods can be called before it settles: `dep.build(src).withExec([...]).stdout()` works when
 * `build` is async, as it does on Dagger's lazy client objects. Awaiting it gives the value itself.
 */
export function chainable(p: PromiseLike<unknown>): unknown {
  const settled = Promise.resolve(p);
  return new Proxy(Object.create(null) as object, {
    get(_t, prop) {
      if (prop === "then") return settled.then.bind(settled);
      if (prop === "catch") return settled.catch.bind(settled);
      if (prop === "finally") return settled.finally.bind(settled);
      if (typeof prop !== "string") return undefined;
      return (...args: unknown[]) =>
        chainable(
          settled.then((v) => {
            const f = (v as Record<string, unknown> | null)?.[prop];
            if (typeof f !== "function")
              throw new TypeError(`${prop} is not a method of the dependency's result`);
            return (f as (...a: unknown[]) => unknown).apply(v, args);
          }),
        );
    },
  });
}
