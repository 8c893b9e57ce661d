// When `cache gc` evicts a step's result, the next run that needs it must be able to say why it ran again
// ("evicted by cache gc on …; raise the limit"): a small log of the keys gc removed, newest last.
import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/** One evicted cache entry: its key, when, and what it was (for the line a person reads). */
export interface Eviction {
  /** The record's kind and key, e.g. `exec` and `sha256:…`. */
  kind: string;
  key: string;
  /** When it was evicted (ms since the epoch). */
  time: number;
  /** `gc` (the size limit) or `prune`. */
  by: "gc" | "prune";
}

/** Tombstones kept; older ones are dropped when the log is rewritten (a step evicted that long ago just says "first run"). */
export const EVICTIONS_KEPT = 20_000;

/** `<stateDir>/cache/evicted.jsonl`. */
export function evictionLogFile(stateDir: string): string {
  return path.join(stateDir, "cache", "evicted.jsonl");
}

/** Add tombstones; the log is cut to the newest EVICTIONS_KEPT when it grows past twice that. */
export async function appendEvictions(
  stateDir: string,
  evictions: readonly Eviction[],
  kept = EVICTIONS_KEPT,
): Promise<void> {
  if (evictions.length === 0) return;
  const file = evictionLogFile(stateDir);
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, evictions.map((e) => JSON.stringify(e) + "\n").join(""));
  const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
  if (lines.length <= 2 * kept) return;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, lines.slice(-kept).join("\n") + "\n");
  await rename(tmp, file);
}

/** The tombstones by `kind:key` (the newest wins); empty when nothing was ever evicted. */
export async function readEvictions(stateDir: string): Promise<Map<string, Eviction>> {
  const out = new Map<string, Eviction>();
  const text = await readFile(evictionLogFile(stateDir), "utf8").catch(() => "");
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as Eviction;
      if (typeof e.key === "string" && typeof e.time === "number") out.set(`${e.kind}:${e.key}`, e);
    } catch {
      // a line cut by a crash: skip it
    }
  }
  return out;
}
