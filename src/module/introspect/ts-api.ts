// The TypeScript compiler takes ~0.5 s to load, so it is imported only when a signature is not cached.
import type * as TS from "typescript";

export type TsApi = typeof TS;

/** Load the `typescript` package; called only on a signature cache miss. */
export async function loadTypeScript(): Promise<TsApi> {
  const mod = (await import("typescript")) as TsApi & { default?: TsApi };
  return mod.default ?? mod;
}
