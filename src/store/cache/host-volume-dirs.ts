// The host runtime keeps cache volumes as folders of the state dir (`cache-volumes/<name>`): `cache ls|gc|prune` size
// them one by one and give them the last use their runs noted (use-marks.ts), like the engine's cache volumes.
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { measureDir } from "./state-dir-usage.js";

/** One host cache volume. */
export interface HostVolumeDir {
  /** The cache's name (`cacheVolume(name)`), when a mark says it; else the folder's name. */
  name: string;
  dir: string;
  bytes: number;
  /** The mark's time, else the newest file's mtime in it, else the folder's. */
  lastUsed: number;
}

/** `<stateDir>/cache-volumes`. */
export function hostVolumesRoot(stateDir: string): string {
  return path.join(stateDir, "cache-volumes");
}

/** Volume names are user text; keep readable ones as they are and make the rest safe and distinct. */
export function volumeDirName(volume: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(volume)) return volume;
  const hash = createHash("sha256").update(volume).digest("hex").slice(0, 12);
  return volume.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 60) + "-" + hash;
}

/** The folder of the host cache volume `name`. */
export function hostVolumeDir(stateDir: string, name: string): string {
  return path.join(hostVolumesRoot(stateDir), volumeDirName(name));
}

/** Every host cache volume with its size; `marks` (name → last use) names them. Seeding leftovers are skipped. */
export async function listHostVolumes(
  stateDir: string,
  marks: ReadonlyMap<string, number>,
): Promise<HostVolumeDir[]> {
  const root = hostVolumesRoot(stateDir);
  const byDir = new Map<string, string>();
  for (const name of marks.keys()) byDir.set(volumeDirName(name), name);
  const out: HostVolumeDir[] = [];
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    if (/\.seeding-\d+$/.test(entry)) continue; // a seed being built (or a crash's): removed with the store's tmp
    const dir = path.join(root, entry);
    const st = await stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) continue;
    const m = await measureDir(dir);
    const name = byDir.get(entry) ?? entry;
    const lastUsed = marks.get(name) ?? m.lastUsed ?? st.mtimeMs;
    out.push({ name, dir, bytes: m.bytes, lastUsed });
  }
  return out;
}
