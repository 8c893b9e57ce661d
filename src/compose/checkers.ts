// Small typed-path validators: each turns an untyped YAML value into a typed one or throws a
// ComposeError naming the file, the key path, what was expected and what came.
import type { At } from "./at.js";

export type Check<T> = (v: unknown, at: At) => T;
export type Kind = "string" | "number" | "boolean" | "empty" | "list" | "mapping";

// The YAML shape of a value, for dispatching on the forms compose allows (string or list, ...).
export function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return "empty";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return "mapping";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  return "boolean";
}

// A plain string.
export const str: Check<string> = (v, at) =>
  typeof v === "string" ? v : at.expected("a string", v);

// A scalar written where compose wants a string (`A: 1` in environment): numbers and booleans as written.
export const scalarString: Check<string> = (v, at) =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean"
    ? String(v)
    : at.expected("a string or a number", v);

// A boolean; also "true"/"false" as strings, which is what an interpolated `${FLAG}` gives.
export const bool: Check<boolean> = (v, at) => {
  if (typeof v === "boolean") return v;
  const s = typeof v === "string" ? v.trim().toLowerCase() : undefined;
  return s === "true" || s === "false" ? s === "true" : at.expected("true or false", v);
};

// A non-negative integer, also accepted as a numeric string.
export const count: Check<number> = (v, at) => {
  const n = typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0
    ? n
    : at.expected("a whole number", v);
};

// A list whose items all pass `item`.
export function listOf<T>(item: Check<T>): Check<T[]> {
  return (v, at) => {
    if (!Array.isArray(v)) return at.expected("a list", v);
    return v.map((x, i) => item(x, at.index(i)));
  };
}

// A mapping with arbitrary keys whose values all pass `value`.
export function mapOf<T>(value: Check<T>): Check<Record<string, T>> {
  return (v, at) => {
    if (kindOf(v) !== "mapping") return at.expected("a mapping", v);
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = value(x, at.key(k));
    return out;
  };
}

// One of several YAML forms (`string or list`), chosen by shape so nested errors keep their exact path.
export function byKind<T>(expected: string, cases: Partial<Record<Kind, Check<T>>>): Check<T> {
  return (v, at) => {
    const check = cases[kindOf(v)];
    return check ? check(v, at) : at.expected(expected, v);
  };
}

// One string out of a fixed set.
export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (v, at) =>
    typeof v === "string" && (values as readonly string[]).includes(v)
      ? (v as T)
      : at.expected(`one of ${values.join(", ")}`, v);
}

// A string or a list of strings, as a list (`env_file: a.env` or `env_file: [a.env]`).
export const stringOrList: Check<string[]> = byKind("a string or a list of strings", {
  string: (v) => [v as string],
  list: listOf(str),
});

// `KEY=VALUE` list or `KEY: VALUE` mapping (environment, labels, build args); null means "no value given".
export const keyValues: Check<Record<string, string | null>> = byKind(
  "a mapping or a list of KEY=VALUE strings",
  {
    mapping: mapOf((v, at) => (v === null || v === undefined ? null : scalarString(v, at))),
    list: (v, at) => {
      const out: Record<string, string | null> = {};
      listOf(str)(v, at).forEach((item, i) => {
        const eq = item.indexOf("=");
        const key = eq < 0 ? item : item.slice(0, eq);
        if (key.trim() === "") at.index(i).expected("KEY=VALUE", item);
        out[key] = eq < 0 ? null : item.slice(eq + 1);
      });
      return out;
    },
  },
);

/** Known keys of a mapping: `true` when supported, a string when known but ignored (the warning). */
export type FieldSpec = Record<string, true | string>;

// A mapping with a fixed set of keys: unsupported keys become warnings (never a silent drop),
// `x-*` extension keys are accepted silently, supported keys are read with their own checks.
export class Fields {
  private readonly map: Record<string, unknown>;

  constructor(
    v: unknown,
    readonly at: At,
    spec: FieldSpec,
  ) {
    if (kindOf(v) !== "mapping") at.expected("a mapping", v);
    this.map = v as Record<string, unknown>;
    for (const key of Object.keys(this.map)) {
      const known = spec[key];
      if (known === true || key.startsWith("x-")) continue;
      at.key(key).warn(known ?? "not supported by Gantry, ignored");
    }
  }

  // Whether the key is present (even with an empty value).
  has(key: string): boolean {
    return Object.hasOwn(this.map, key);
  }

  // The key's value checked, or undefined when the key is absent or empty.
  get<T>(key: string, check: Check<T>): T | undefined {
    const v = this.map[key];
    return v === null || v === undefined ? undefined : check(v, this.at.key(key));
  }

  // The key's value checked; a missing key is an error.
  need<T>(key: string, check: Check<T>): T {
    const v = this.map[key];
    if (v === null || v === undefined) this.at.fail(`missing required key "${key}"`);
    return check(v, this.at.key(key));
  }
}

// Drops undefined members so that object spreads in merging never overwrite with undefined.
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
}
