// An error thrown in a module's code must point at the module's own line, not at Gantry's frames around it.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { displayPath } from "./display-path.js";

// Gantry's own package (dist/ or src/ below it): its frames are the caller of user code, never the cause.
const GANTRY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const FRAME = /^\s*at (?:.*? \()?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/;

/**
 * The first frame of `stack` in the user's code, as `file:line:col` relative to `cwd` (editors and terminals
 * link that form): frames in Gantry, in node_modules and in Node itself are passed over.
 */
export function userFrame(stack: string | undefined, cwd: string): string | undefined {
  for (const line of (stack ?? "").split("\n")) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = m[1]?.startsWith("file://") ? fileURLToPath(m[1]) : (m[1] ?? "");
    if (
      file.startsWith(GANTRY_ROOT + path.sep) ||
      file.includes(`${path.sep}node_modules${path.sep}`)
    )
      continue;
    return `${displayPath(file, cwd)}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
