// Cache volumes have no record in the store, so this state dir notes which ones its runs used and when: `cache
// ls` shows their last use, and `cache prune|gc` take only the volumes this state dir's runs use.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";

// `<stateDir>/cache/used/`.
function marksDir(stateDir: string): string {
  return path.join(stateDir, "cache", "used");
}

/** Note that a run uses cache volume `name` now (one small file per name; its mtime is the last use). */
export async function markVolumeUsed(stateDir: string, name: string): Promise<void> {
  const dir = marksDir(stateDir);
  const file = path.join(
    dir,
    `volume-${createHash("sha256").update(name).digest("hex").slice(0, 16)}.json`,
  );
  const now = new Date();
  try {
    await utimes(file, now, now);
  } catch {
    await mkdir(dir, { recursive: true });
    await writeFile(file, JSON.stringify({ name }) + "\n");
  }
}

/** The cache volumes this state dir's runs used: name → last use (ms). */
export async function readVolumeMarks(stateDir: string): Promise<Map<string, number>> {
  const dir = marksDir(stateDir);
  const out = new Map<string, number>();
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (!f.startsWith("volume-")) continue;
    try {
      const file = path.join(dir, f);
      const { name } = JSON.parse(await readFile(file, "utf8")) as { name?: string };
      if (typeof name === "string") out.set(name, (await stat(file)).mtimeMs);
    } catch {
      // a mark being written: the next look sees it
    }
  }
  return out;
}

/** Forget a volume that was removed (its next use writes a new mark). */
export async function forgetVolumeMark(stateDir: string, name: string): Promise<void> {
  const file = path.join(
    marksDir(stateDir),
    `volume-${createHash("sha256").update(name).digest("hex").slice(0, 16)}.json`,
  );
  await rm(file, { force: true });
}
