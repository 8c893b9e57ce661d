// The TypeScript compiler takes a while to load, so it is loaded only when a signature is not cached.
import { createRequire } from "node:module";
import type * as TS from "typescript";

export type TsApi = typeof TS;

/**
 * Load the `typescript` package; called only on a signature cache miss.
 * Through `require`, not `import()`: importing a CommonJS file from ESM makes Node scan all of it for its named
 * exports (cjs-module-lexer, plus a format check) — about 0.5 s for typescript.js's 9 MB here, more than running it.
 */
export function loadTypeScript(): TsApi {
  return createRequire(import.meta.url)("typescript") as TsApi;
}
