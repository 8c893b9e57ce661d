// Dagger's API changed meaning across versions; a dagger.json's engineVersion says which meaning a module expects.
import type { ModuleLocation } from "./find-module.js";

/** The version-dependent behaviours Gantry follows (Dagger's views `BeforeVersion`/`AfterVersion`). */
export interface DaggerCompat {
  /** v0.17+: `Directory.entries()` ends directory names with "/". */
  entriesMarkDirs: boolean;
  /** Before v0.12: `withExec` prepends the image's entrypoint unless told otherwise. */
  execUsesEntrypoint: boolean;
}

/** `v0.16.3` → [0, 16, 3]; undefined when it is not a version (then the newest semantics apply, as in Dagger). */
function parseVersion(v: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** True when `v` is at least `min` (both `vX.Y.Z`). */
export function versionAtLeast(v: string, min: string): boolean {
  const a = parseVersion(v);
  const b = parseVersion(min) as number[];
  if (!a) return true;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) > (b[i] as number);
  return true;
}

/**
 * A dagger.json module gets the semantics of its engineVersion (none: the newest, as Dagger reads it);
 * gantry.json and bare `.gantry/` modules keep Gantry's own (no "/" on entries, no entrypoint).
 */
export function daggerCompat(mod: Pick<ModuleLocation, "kind" | "engineVersion">): DaggerCompat {
  if (mod.kind !== "dagger") return { entriesMarkDirs: false, execUsesEntrypoint: false };
  const v = mod.engineVersion ?? "";
  return {
    entriesMarkDirs: versionAtLeast(v, "v0.17.0"),
    execUsesEntrypoint: !versionAtLeast(v, "v0.12.0"),
  };
}
