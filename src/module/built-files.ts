// Files `npm run build` makes beside Gantry's compiled code, found from wherever that code runs in dist/.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `dist/<name>` when this code runs from Gantry's built dist/ and the build made that file; undefined when running
 * from source (tests), or without it.
 */
export function builtFile(name: string): string | undefined {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (path.basename(dir) === "dist") {
      const file = path.join(dir, name);
      return fs.existsSync(file) ? file : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
