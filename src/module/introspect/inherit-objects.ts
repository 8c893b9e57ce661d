// `class App extends NodeToolchain {}`: a class has its base's functions (and constructor) unless it redeclares them.
import type { FunctionSignature, ObjectSignature, TypeRef } from "../signature.js";

// A function's own name on the object (overrides match on it, not on an alias).
function key(fn: FunctionSignature): string {
  return fn.name;
}

/**
 * Each object with its inherited functions filled in, following `extends` through `byName` (the module's objects
 * and the presets); a base that is not an @object() class known here contributes nothing.
 */
export function inheritObjects(
  objects: readonly ObjectSignature[],
  byName: ReadonlyMap<string, ObjectSignature>,
  inheritCtor: ReadonlySet<string>,
): ObjectSignature[] {
  const done = new Map<string, ObjectSignature>();
  const resolve = (obj: ObjectSignature, seen: Set<string>): ObjectSignature => {
    const hit = done.get(obj.name);
    if (hit) return hit;
    const base = obj.extends !== undefined ? byName.get(obj.extends) : undefined;
    if (!base || seen.has(base.name)) return obj;
    const full = resolve(base, new Set([...seen, obj.name]));
    const own = new Set(obj.functions.map(key));
    const merged: ObjectSignature = {
      ...obj,
      functions: [...obj.functions, ...full.functions.filter((f) => !own.has(key(f)))],
      constructorParams: inheritCtor.has(obj.name) ? full.constructorParams : obj.constructorParams,
    };
    if (merged.doc === undefined && full.doc !== undefined) merged.doc = full.doc;
    done.set(obj.name, merged);
    return merged;
  };
  return objects.map((o) => resolve(o, new Set()));
}

// The object names a type mentions (through lists).
function objectsIn(t: TypeRef): string[] {
  if (t.kind === "object") return [t.name];
  if (t.kind === "list") return objectsIn(t.of);
  return [];
}

/** The library objects the module's objects reach (as a base, a result or a parameter), transitively. */
export function reachableLibrary(
  roots: readonly ObjectSignature[],
  library: ReadonlyMap<string, ObjectSignature>,
): ObjectSignature[] {
  const out = new Map<string, ObjectSignature>();
  const queue: ObjectSignature[] = [...roots];
  while (queue.length > 0) {
    const obj = queue.shift() as ObjectSignature;
    const names = [
      ...(obj.extends !== undefined ? [obj.extends] : []),
      ...obj.constructorParams.flatMap((p) => objectsIn(p.type)),
      ...obj.functions.flatMap((f) => [
        ...objectsIn(f.returns),
        ...f.params.flatMap((p) => objectsIn(p.type)),
      ]),
    ];
    for (const n of names) {
      const lib = library.get(n);
      if (lib && !out.has(n)) {
        out.set(n, lib);
        queue.push(lib);
      }
    }
  }
  return [...out.values()];
}
