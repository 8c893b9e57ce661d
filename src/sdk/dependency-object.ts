// A dependency's object as Dagger's generated client presents it: its calls run as that module's code, fields are
// read with a call, and an async function's object result can be chained before it is awaited.
import { runInModule, type ModuleInfo } from "./current-module.js";

/**
 * Wrap a dependency module's main object for its caller.
 *
 * @example
 * const greeting = await dependencyObject(new Hello(), info, new Set()).hello({ giant: true })
 */
export function dependencyObject(
  instance: unknown,
  info: ModuleInfo,
  fields: ReadonlySet<string>,
): unknown {
  return new Proxy(instance as object, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== "string") return value;
      if (fields.has(prop)) return () => Promise.resolve(value);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const out = runInModule(info, () =>
          (value as (...a: unknown[]) => unknown).apply(target, args),
        );
        return isThenable(out) ? chainable(out) : out;
      };
    },
  });
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
