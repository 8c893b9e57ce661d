// Every part of Dagger's core API Gantry lacks is still a method: calling it throws an UnsupportedError naming
// Dagger's method and the module's file:line, never "x is not a function" in the middle of a run.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UnsupportedError } from "../errors.js";
import { UNSUPPORTED } from "./dagger-core-api.js";

type DaggerType = keyof typeof UNSUPPORTED;

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Frames in here are Gantry's: src/sdk/ from source; all of dist/ when built (the SDK's code is bundled into dist/sdk/
 * and dist/chunks/, scripts/bundle-dist.mjs). */
const SDK_DIR = path.basename(path.dirname(HERE)) === "dist" ? path.dirname(HERE) : HERE;

/** `Container.withGPU` as a person reads it (`dag.llm` for the root). */
export function daggerCallName(type: DaggerType, name: string): string {
  return `${type === "Query" ? "dag" : type}.${name}`;
}

/** The first stack frame outside Gantry's SDK: the module's own line (source maps make it the .ts file). */
export function callerLocation(stack: string | undefined): string | undefined {
  for (const line of (stack ?? "").split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m?.[1]) continue;
    let file = m[1].replace(/\?[^:]*$/, "");
    if (file.startsWith("file://")) file = fileURLToPath(file);
    if (file.startsWith("node:") || file.startsWith(SDK_DIR + path.sep)) continue;
    return `${path.relative(process.cwd(), file) || file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/** The error a missing method throws. */
export function unsupportedCall(type: DaggerType, name: string, where?: string): UnsupportedError {
  return new UnsupportedError(
    `${daggerCallName(type, name)}() is part of Dagger's core API but not available in Gantry yet${where ? ` (called at ${where})` : ""}`,
    { hint: "docs/dagger-compat.md lists what Gantry supports and what is missing" },
  );
}

/** Give `proto` a throwing method for each field of `type` that Gantry lacks (never over a real method). */
export function installUnsupported(proto: object, type: DaggerType): void {
  for (const name of UNSUPPORTED[type]) {
    if (Object.hasOwn(proto, name)) continue;
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function unsupported(): never {
        throw unsupportedCall(type, name, callerLocation(new Error().stack));
      },
    });
  }
}
