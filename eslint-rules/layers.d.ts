// Types for the layer rule, so tests in TypeScript can call it.
import type { ESLint } from "eslint";

/** Why `from` importing `to` (paths under src/) breaks the layers, or undefined when it is fine. */
export function layerViolation(from: string, to: string): string | undefined;

declare const plugin: ESLint.Plugin;
export default plugin;
