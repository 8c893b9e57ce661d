// The after-run check must see a cache volume grow without sizing every volume: the size each volume had when last
// measured is kept here, and a run sizes only the volumes it used and adds what they grew to the estimate.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/** `engine:<cache>` or `host:<cache>` → bytes when last measured. */
export type VolumeSizes = Record<string, number>;

// `<stateDir>/cache/volume-sizes.json`.
function sizesFile(stateDir: string): string {
  return path.join(stateDir, "cache", "volume-sizes.json");
}

/** The sizes known; empty when never measured. */
export async function readVolumeSizes(stateDir: string): Promise<VolumeSizes> {
  try {
    const v = JSON.parse(await readFile(sizesFile(stateDir), "utf8")) as unknown;
    return v && typeof v === "object" ? (v as VolumeSizes) : {};
  } catch {
    return {};
  }
}

/** Replace the sizes (a full measurement) or merge some in (`merge`: a run's used volumes). */
export async function writeVolumeSizes(
  stateDir: string,
  sizes: VolumeSizes,
  opts: { merge?: boolean } = {},
): Promise<void> {
  const file = sizesFile(stateDir);
  const next = opts.merge ? { ...(await readVolumeSizes(stateDir)), ...sizes } : sizes;
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(next) + "\n");
  await rename(tmp, file);
}
