// A pull that failed for an image a flag's default names: the hint says which flag picks another image.
import { ImageError, UsageError } from "../errors.js";
import type { ParamSignature } from "../module/signature.js";
import { toKebabCase } from "../module/names.js";

/** An image reference that is a string parameter's default, and the flag that overrides it. */
export interface ImageDefault {
  ref: string;
  flag: string;
}

// `"node:22"`, `'node:22'` or `` `node:22` `` without `${`: the default's text as the introspection kept it
const STRING_LITERAL = /^(["'`])([^"'`\\$]+)\1$/;

/** The string defaults of these parameters, each with its flag (`image` → `--image`). */
export function imageDefaults(params: readonly ParamSignature[]): ImageDefault[] {
  const out: ImageDefault[] = [];
  for (const p of params) {
    if (p.type.kind !== "string" || p.default === undefined) continue;
    const m = STRING_LITERAL.exec(p.default.trim());
    if (m) out.push({ ref: m[2]!, flag: `--${toKebabCase(p.name)}` });
  }
  return out;
}

/** The extra hint for an image error (or one it caused) whose reference is a default in `defaults`. */
export function imageDefaultHint(
  e: unknown,
  defaults: readonly ImageDefault[] | undefined,
): string | undefined {
  if (!defaults?.length) return undefined;
  for (let x = e, i = 0; x && i < 8; x = (x as { cause?: unknown }).cause, i++) {
    if (!(x instanceof ImageError) || x.ref === undefined) continue;
    const hit = defaults.find((d) => d.ref === x.ref);
    if (hit)
      return `or give this call an image this machine has: \`${hit.flag}=REF\` (${hit.ref} is ${hit.flag}'s default)`;
  }
  return undefined;
}

/**
 * `--image=` given empty for a string parameter named like an image (`image`, `baseImage`) whose default is an image
 * reference: a usage error naming the flag, before anything runs (it failed later as Container.from's TypeError).
 */
export function checkImageValues(
  targets: readonly { params: readonly ParamSignature[]; values: ReadonlyMap<string, unknown> }[],
): void {
  for (const t of targets)
    for (const p of t.params) {
      const d = /image$/i.test(p.name) ? imageDefaults([p])[0] : undefined;
      if (d && t.values.get(p.name) === "")
        throw new UsageError(`${d.flag} needs an image reference, got an empty value`, {
          hint: `e.g. ${d.flag}=${d.ref} (its default), or leave the flag out`,
        });
    }
}
