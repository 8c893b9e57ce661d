// A module must import the very SDK instance the CLI runs (instanceof checks and the current run depend on it).
import fs from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Absolute path of Gantry's own SDK entry, next to this file's folder: `dist/index.js` when
 * running the built CLI, `src/index.ts` when running from source (tests).
 */
export function resolveSdkEntry(): string {
  const js = fileURLToPath(new URL("../index.js", import.meta.url));
  if (fs.existsSync(js)) return js;
  return fileURLToPath(new URL("../index.ts", import.meta.url));
}
