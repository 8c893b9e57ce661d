// Which @object() classes a module declares, exported or not: the loader collects them while it imports the module.
import { AsyncLocalStorage } from "node:async_hooks";

/** A class as the registry holds it (a constructor; its metadata is in decorators.ts). */
export type DeclaredClass = abstract new (...args: never[]) => unknown;

/**
 * The collection of the load in progress. Not a registry of every class ever seen: each load gets
 * its own list, found through the async context of the import, so two loads (two modules, or one
 * module loaded twice in a test) never see each other's classes.
 */
const loading = new AsyncLocalStorage<DeclaredClass[]>();

/**
 * Run `load` (the loader's `import()` of a module bundle) and return, with its result, every class
 * the @object() decorator saw while the module's code ran, in declaration order.
 *
 * @example
 * const { value: exports, objects } = await collectObjects(() => import(bundleUrl));
 */
export async function collectObjects<T>(
  load: () => Promise<T>,
): Promise<{ value: T; objects: DeclaredClass[] }> {
  const objects: DeclaredClass[] = [];
  const value = await loading.run(objects, load);
  return { value, objects };
}

/** Called by @object(): adds the class to the load in progress, if any (a plain import has none). */
export function registerObject(cls: unknown): void {
  if (typeof cls === "function") loading.getStore()?.push(cls as DeclaredClass);
}
