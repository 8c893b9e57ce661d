// Checking the size limit after every run must not walk the whole store: the last full measurement plus a log of
// what each run added since gives an estimate in two small reads; only when it passes the limit (or the
// measurement is a day old) is everything measured again.
import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/** The last full measurement (`cache ls`, `cache gc`, or the check after a run that went over). */
export interface UsageMeasure {
  /** When it was taken (ms since the epoch). */
  measuredAt: number;
  /** Bytes under the state dir that the limit counts (everything but run records). */
  stateBytes: number;
  /** Bytes of the engine objects Gantry owns (committed images, cache volumes). */
  engineBytes: number;
}

/** A measurement older than this is taken again after the next run, to see what the estimate cannot (volumes grow). */
export const REMEASURE_MS = 24 * 60 * 60 * 1000;

// `<stateDir>/cache/usage.json` and `added.log` beside it.
function files(stateDir: string): { measure: string; added: string } {
  const dir = path.join(stateDir, "cache");
  return { measure: path.join(dir, "usage.json"), added: path.join(dir, "added.log") };
}

/** Record a full measurement; what runs added before it is now part of it. */
export async function writeMeasure(stateDir: string, m: UsageMeasure): Promise<void> {
  const f = files(stateDir);
  await mkdir(path.dirname(f.measure), { recursive: true });
  const tmp = `${f.measure}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(m) + "\n");
  await rename(tmp, f.measure);
  await writeFile(f.added, "");
}

/** Note what one run added to the store (bytes); one short append, safe from several processes at once. */
export async function noteAdded(stateDir: string, bytes: number): Promise<void> {
  if (bytes <= 0) return;
  const f = files(stateDir);
  await mkdir(path.dirname(f.added), { recursive: true });
  await appendFile(f.added, `${Math.round(bytes)}\n`);
}

/** The last measurement and the bytes runs added since; undefined when nothing was ever measured. */
export async function readUsage(
  stateDir: string,
): Promise<{ measure: UsageMeasure; addedSince: number } | undefined> {
  const f = files(stateDir);
  let measure: UsageMeasure;
  try {
    measure = JSON.parse(await readFile(f.measure, "utf8")) as UsageMeasure;
    if (typeof measure.measuredAt !== "number") return undefined;
  } catch {
    return undefined;
  }
  const added = await readFile(f.added, "utf8").catch(() => "");
  let addedSince = 0;
  for (const line of added.split("\n")) addedSince += Number(line) || 0;
  return { measure, addedSince };
}
