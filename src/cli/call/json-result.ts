// `--json`: a result as Dagger's `dagger call --json` prints it: scalars and lists as JSON values, an object as its
// type (`_type`) and its simple values.
import { toCamelCase } from "../../module/names.js";
import type { SdkModule } from "../../module/load-module.js";
import {
  SDK_VALUE_TYPES,
  type CoreTypeName,
  type ModuleSignature,
  type TypeRef,
} from "../../module/signature.js";
import type { InvokeContext } from "./callable.js";
import { coreCallables } from "./core-callables.js";

type Sdk = Pick<
  SdkModule,
  "Container" | "Directory" | "File" | "Secret" | "Service" | "CacheVolume"
>;

// Readers left out of an SDK object's JSON, as Dagger leaves them out: output that may be huge (stdout, stderr), a
// value that needs an exec first (exit-code), contents that may be binary; and a service's address, which would
// start the service just to print it.
const SKIPPED: Partial<Record<CoreTypeName, readonly string[]>> = {
  Container: ["stdout", "stderr", "exit-code"],
  File: ["contents"],
  Service: ["endpoint", "hostname"],
};

// A string, number, boolean or enum, or a list of them: what an object's JSON shows (objects inside are left out).
function isSimple(t: TypeRef): boolean {
  if (t.kind === "list") return isSimple(t.of);
  return ["string", "number", "boolean", "enum"].includes(t.kind);
}

// An SDK object: its type and every reader that takes no required flag and returns simple values.
async function coreJson(
  name: CoreTypeName,
  value: object,
  ctx: InvokeContext,
): Promise<Record<string, unknown>> {
  // a container is evaluated first (its readers only read its config), as Dagger syncs it
  if (name === "Container") await (value as { sync(): Promise<unknown> }).sync();
  const readers = coreCallables(name).filter(
    (c) =>
      isSimple(c.returns) &&
      c.params.every((p) => p.optional) &&
      !SKIPPED[name]?.includes(c.cliName),
  );
  const out: Record<string, unknown> = { _type: name };
  for (const c of readers) out[toCamelCase(c.cliName)] = await c.invoke(value, [], ctx);
  return out;
}

/** The JSON value of a result; evaluates lazy SDK objects. A void result is `null`. */
export async function resultJson(
  value: unknown,
  sdk: Sdk,
  sig: ModuleSignature | undefined,
  ctx: InvokeContext,
): Promise<unknown> {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return String(value);
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return Promise.all(value.map((v) => resultJson(v, sdk, sig, ctx)));
  for (const name of SDK_VALUE_TYPES)
    if (value instanceof sdk[name]) return coreJson(name, value, ctx);
  const cls = (value as object).constructor?.name;
  const obj = sig?.objects.find((o) => o.name === cls && o.shape !== "type");
  const out: Record<string, unknown> = {};
  if (obj) {
    // a module object: its type and its fields of simple types, under the names to chain (Dagger shows fields,
    // never calls functions)
    out._type = obj.name;
    for (const f of obj.functions)
      if (f.kind === "field" && isSimple(f.returns))
        out[f.alias ?? f.name] = await resultJson(
          (value as Record<string, unknown>)[f.name],
          sdk,
          sig,
          ctx,
        );
    return out;
  }
  // a plain object (an interface or type the function returned): every entry, SDK objects inside included
  for (const [k, v] of Object.entries(value)) out[k] = await resultJson(v, sdk, sig, ctx);
  return out;
}

/** The text `--json` prints: indented JSON, one trailing newline. */
export async function formatJson(
  value: unknown,
  sdk: Sdk,
  sig: ModuleSignature | undefined,
  ctx: InvokeContext,
): Promise<string> {
  return `${JSON.stringify(await resultJson(value, sdk, sig, ctx), null, 2)}\n`;
}
