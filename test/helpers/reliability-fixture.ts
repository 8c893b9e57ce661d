// A temp copy of the reliability module and a source tree with a known answer, for the reliability suite.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCommand } from "./test-session.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(ROOT, "bin/gantry.js");

/** A fresh work folder holding the module (`mod`) and a source tree (`src`) for `pipeline --source`. */
export function reliabilityWork(): { work: string; mod: string; src: string } {
  const work = mkdtempSync(path.join(os.tmpdir(), "gantry-reliability-"));
  const mod = path.join(work, "module");
  cpSync(path.join(ROOT, "test/fixtures/reliability-module"), mod, { recursive: true });
  const src = path.join(work, "src");
  mkdirSync(path.join(src, "b"), { recursive: true });
  writeFileSync(path.join(src, "a.txt"), "alpha\n");
  writeFileSync(path.join(src, "b/c.txt"), "gamma\n");
  return { work, mod, src };
}

/** What `pipeline` answers for the source tree above (md5 of "alpha\ngamma\n"). */
export const PIPELINE_ANSWER =
  "sum=b758384b1b9eedf326ca45fc10fa3b7b upper=ALPHA entries=sum,upper stdout=built\n";

/** Run the CLI with a state dir; status and output. */
export function gantryCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 180_000,
): ReturnType<typeof runCommand> {
  return runCommand("node", [BIN, ...args], { env, timeoutMs });
}
