// A module's content digest: what its signature and bundle caches are keyed by, so an edit is never served stale.
import { createHash } from "node:crypto";
import path from "node:path";
import type { ModuleLocation } from "./find-module.js";
import { builtFile } from "./built-files.js";
import { readLibrarySources, type LibrarySources } from "./library-entry.js";
import fs from "node:fs";
import { collectLocalFiles } from "./local-imports.js";
import { readTsconfigPaths } from "./tsconfig-paths.js";

/** Bump when the signature or bundle format changes, so old cache entries stop matching. */
export const MODULE_CACHE_SCHEMA = 9;

export interface ModuleDigest {
  /** sha256 hex over the module name, the entry's place and every local file's path and contents. */
  digest: string;
  /** The module's local files (absolute path → text), entry first. */
  files: Map<string, string>;
}

/** Digest the entry and the files it imports by relative path (never node_modules). */
export function digestModule(
  mod: Pick<ModuleLocation, "name" | "rootDir" | "entry"> &
    Partial<Pick<ModuleLocation, "dependencies">>,
): ModuleDigest {
  const aliases = readTsconfigPaths(mod.entry, mod.rootDir);
  const files = collectLocalFiles(mod.entry, undefined, aliases);
  // The aliases decide which files the bundle holds: their config is part of the module.
  for (const f of aliases?.files ?? []) files.set(f, fs.readFileSync(f, "utf8"));
  const h = createHash("sha256");
  h.update(`gantry-module/${MODULE_CACHE_SCHEMA}\0${mod.name}\0`);
  h.update(path.relative(mod.rootDir, mod.entry) + "\0");
  // dependency names change what `dag.<name>` means to the scan of unsupported calls
  h.update(JSON.stringify((mod.dependencies ?? []).map((d) => d.name)) + "\0");
  const rel = [...files.keys()].map((f) => [path.relative(mod.rootDir, f), f] as const);
  rel.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [name, abs] of rel) {
    const text = files.get(abs) ?? "";
    h.update(`${name}\0${createHash("sha256").update(text).digest("hex")}\0`);
  }
  // the presets' source is part of the signature: a new Gantry with changed presets must not serve an old one
  h.update(`gantry-library\0${libraryDigest()}\0`);
  return { digest: h.digest("hex"), files };
}

/** The file `npm run build` writes the presets' digest to (scripts/library-digest.mjs), in dist/. */
export const LIBRARY_DIGEST_FILE = "library.digest";

/**
 * The presets' part of every module's digest: the build's, when Gantry runs from its dist/ (reading and resolving
 * their ~30 files cost ~12 ms of every run, cached or not), else read and hashed now (running from source).
 */
function libraryDigest(): string {
  const built = builtFile(LIBRARY_DIGEST_FILE);
  const text = built ? fs.readFileSync(built, "utf8").trim() : "";
  return /^[0-9a-f]{64}$/.test(text) ? text : hashLibrary(readLibrarySources());
}

/** A digest of the presets' source files, by their path in the library and their contents. */
export function hashLibrary(library: LibrarySources | undefined): string {
  const h = createHash("sha256");
  for (const [file, text] of library?.files ?? []) {
    const name = path.relative(library?.dir ?? "", file);
    h.update(`gantry:${name}\0${createHash("sha256").update(text).digest("hex")}\0`);
  }
  return h.digest("hex");
}
