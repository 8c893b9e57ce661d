// The shape of a module's functions as the CLI sees them: introspection writes it, the cache stores it as JSON.
import { ModuleError } from "../errors.js";

/** The core types a call's result can be told by at run time (`instanceof` the SDK's classes). */
export const SDK_VALUE_TYPES = [
  "Container",
  "Directory",
  "File",
  "Secret",
  "Service",
  "CacheVolume",
] as const;

/** The SDK object types an argument or result may have: those, and two more a signature can name. */
export const CORE_TYPES = [...SDK_VALUE_TYPES, "GitRepository", "Socket"] as const;
export type CoreTypeName = (typeof CORE_TYPES)[number];

export type TypeRef =
  | { kind: "string" | "number" | "boolean" | "void" }
  | { kind: "list"; of: TypeRef }
  | { kind: "core"; name: CoreTypeName }
  /** A class of the module decorated @object(). */
  | { kind: "object"; name: string }
  | { kind: "enum"; name: string; members: { name: string; value: string }[] }
  /** A type Gantry does not map (a type alias, an interface): passed through as text, shown as written. */
  | { kind: "unknown"; text: string };

export interface ParamSignature {
  name: string;
  type: TypeRef;
  /** `name?: T`, or a default value: the flag may be left out. */
  optional: boolean;
  /** The default value's source text, e.g. `"x"` or `["a"]`. */
  default?: string;
  doc?: string;
  /** From @argument({ defaultPath }): a Directory/File argument that needs no flag. */
  defaultPath?: string;
  /** From @argument({ ignore }): patterns left out of the directory. */
  ignore?: string[];
  /** A rest parameter (`...args: string[]`): a list flag whose items are spread into the call. */
  variadic?: boolean;
}

/** Arguments in call order, with a trailing variadic list spread into separate arguments. */
export function spreadVariadic(params: readonly ParamSignature[], args: unknown[]): unknown[] {
  if (!params.at(-1)?.variadic || args.length < params.length) return args;
  const last = args[params.length - 1];
  const items = last === undefined ? [] : Array.isArray(last) ? last : [last];
  return [...args.slice(0, params.length - 1), ...items];
}

export interface FunctionSignature {
  /** The method or property name in the class. */
  name: string;
  /** `@func("alias")`: the name the CLI shows instead. */
  alias?: string;
  /** A method is called; a field (`@field()` / `@func()` on a property) is read. */
  kind: "method" | "field";
  doc?: string;
  params: ParamSignature[];
  /** The declared result, with `Promise<…>` unwrapped. */
  returns: TypeRef;
  /** Marked `@check()`: `gantry check` runs it. */
  check?: boolean;
}

export interface ObjectSignature {
  name: string;
  /** Exported from the entry file (the main object need not be; see pick-main-object.ts). */
  exported: boolean;
  doc?: string;
  constructorParams: ParamSignature[];
  functions: FunctionSignature[];
  /** Source file, relative to the module's root folder (`gantry:…` for an object Gantry's package ships). */
  file: string;
  /** The @object() class it extends (the module's own, or one Gantry ships, such as NodeToolchain). */
  extends?: string;
  /** An object Gantry's package ships (a toolchain preset), pulled in because the module uses it. */
  library?: boolean;
  /** An exported `type`/`interface` (fields only; never the main object), not an @object() class. */
  shape?: "type";
}

/** A call of Dagger core API Gantry lacks, found in the module's source. */
export interface UnsupportedCall {
  /** Dagger's method(s) of that name: `Container.withUnixSocket`, `dag.llm`. */
  call: string;
  /** `file:line:col`, relative to the module's root folder. */
  at: string;
  /** The main object's function whose body holds the call; absent for helpers and other code. */
  fn?: string;
}

export interface ModuleSignature {
  schema: number;
  moduleName: string;
  /** The entry file's leading doc comment. */
  doc?: string;
  /** Name of the class `gantry call` constructs. */
  mainObject: string;
  objects: ObjectSignature[];
  warnings: string[];
  /** Calls of Dagger core API Gantry lacks (see introspect/unsupported-calls.ts). */
  unsupported?: UnsupportedCall[];
}

/** The main object's signature; introspection only records a main object that exists. */
export function mainObjectOf(sig: ModuleSignature): ObjectSignature {
  const main = sig.objects.find((o) => o.name === sig.mainObject);
  if (!main) {
    throw new ModuleError(
      `the module's signature names ${sig.mainObject} as its main object, but has no such object: edit any module file to refresh it`,
    );
  }
  return main;
}

/** The CLI name of a function: its alias or its name, kebab-cased by the caller. */
export function functionCliName(fn: FunctionSignature): string {
  return fn.alias ?? fn.name;
}

/** How a type reads in help: `string[]`, `Directory`, `enum(a|b)`. */
export function typeLabel(t: TypeRef): string {
  switch (t.kind) {
    case "list":
      return `${typeLabel(t.of)}[]`;
    case "core":
    case "object":
      return t.name;
    case "enum":
      return t.members.map((m) => m.value).join("|");
    case "unknown":
      return t.text;
    default:
      return t.kind;
  }
}
