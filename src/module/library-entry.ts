// Gantry's package ships @object() classes of its own (the toolchain presets); a module that imports one gets its functions.
import fs from "node:fs";
import path from "node:path";
import { collectLocalFiles } from "./local-imports.js";
import { resolveSdkEntry } from "./sdk-entry.js";

export interface LibrarySources {
  /** The folder the library's files live in; nothing outside it is read. */
  dir: string;
  /** Its TypeScript files (absolute path → text), entry first. */
  files: Map<string, string>;
}

/**
 * The TypeScript source of the presets, `<package>/src/toolchains/`, read for their signatures the same way a
 * module's own files are (the package ships that folder beside `dist/`); undefined when it is not there.
 */
export function readLibrarySources(sdkEntry = resolveSdkEntry()): LibrarySources | undefined {
  const dir = path.join(path.dirname(path.dirname(sdkEntry)), "src", "toolchains");
  const entry = path.join(dir, "index.ts");
  if (!fs.statSync(entry, { throwIfNoEntry: false })?.isFile()) return undefined;
  return { dir, files: collectLocalFiles(entry, dir) };
}
