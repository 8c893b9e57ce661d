// Property tests run a short number of cases in the normal suite; GANTRY_FUZZ_RUNS=N runs N each (a long hunt).
import { readdir, lstat } from "node:fs/promises";
import path from "node:path";

// How many cases a property test tries: its short default, or GANTRY_FUZZ_RUNS when set.
export function fuzzRuns(short: number): number {
  const n = Number.parseInt(process.env.GANTRY_FUZZ_RUNS ?? "", 10);
  return Number.isFinite(n) && n > 0 ? n : short;
}

// Every path under `root` (symlinks not followed), relative, sorted: what a hostile input may have left behind.
export async function listAll(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const abs = path.join(dir, name);
      out.push(path.relative(root, abs));
      if ((await lstat(abs)).isDirectory()) await walk(abs);
    }
  };
  await walk(root);
  return out.sort();
}
