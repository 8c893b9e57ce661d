// How a call's result reads on stdout: scalars as they are, lists one per line, SDK objects by what they hold.
import type { SdkModule } from "../../module/load-module.js";
import type { ModuleSignature } from "../../module/signature.js";

type Sdk = Pick<
  SdkModule,
  "Container" | "Directory" | "File" | "Secret" | "Service" | "CacheVolume"
>;

/** The text printed for a result; undefined prints nothing (a void function). Evaluates lazy SDK objects. */
export async function formatResult(
  value: unknown,
  sdk: Sdk,
  sig: ModuleSignature,
): Promise<string | undefined> {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (Array.isArray(value)) {
    const parts = await Promise.all(value.map((v) => formatResult(v, sdk, sig)));
    return parts.filter((p) => p !== undefined).join("\n");
  }
  if (value instanceof sdk.Container) {
    await value.sync();
    return `Container evaluated (workdir ${await value.workdir()}); chain stdout, export --path=… or directory --path=… to see more`;
  }
  if (value instanceof sdk.Directory) return (await value.entries()).join("\n");
  if (value instanceof sdk.File) return value.contents();
  // a secret's value is never printed as a result, only its name
  if (value instanceof sdk.Secret) return `Secret ${await value.name()}`;
  if (value instanceof sdk.Service)
    return "Service (chain up --ports=PORT to reach it from the host)";
  if (value instanceof sdk.CacheVolume) return "CacheVolume";
  const name = (value as object).constructor?.name;
  const obj = sig.objects.find((o) => o.name === name);
  if (obj) {
    const head = `${obj.name} (chain one of: ${obj.functions.map((f) => f.alias ?? f.name).join(", ")})`;
    // its plain fields with their values, as Dagger's CLI prints an object (objects inside are chained to)
    const plain = obj.functions.filter(
      (f) =>
        f.kind === "field" &&
        (["string", "number", "boolean", "enum"].includes(f.returns.kind) ||
          (f.returns.kind === "list" &&
            ["string", "number", "boolean", "enum"].includes(f.returns.of.kind))),
    );
    const lines = plain.flatMap((f) => {
      const v = (value as Record<string, unknown>)[f.name];
      if (v === undefined || v === null) return [];
      return [`${f.alias ?? f.name}: ${Array.isArray(v) ? v.join(", ") : String(v)}`];
    });
    return [head, ...lines].join("\n");
  }
  return JSON.stringify(value, null, 2);
}
