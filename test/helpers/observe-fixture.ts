// The observability tests' module in a temp copy (runs never write into the repository), and the CLI run in-process.
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { listRuns } from "../../src/observe/run-records.js";
import os from "node:os";
import path from "node:path";
import { runGantry, type CliRun } from "../unit/cli-test-helpers.js";
import { projectStateDir } from "../../src/store/project-state-dir.js";
import type { RunEvent } from "../../src/engine/events.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ObserveFixture {
  work: string;
  mod: string;
  state: string;
  gantry(args: string[], env?: Record<string, string>): Promise<CliRun>;
  /** The events of the newest run record of the module. */
  lastRun(): RunEvent[];
}

/** A fresh copy of test/fixtures/observe-module and a fresh state dir. */
export function observeFixture(): ObserveFixture {
  const work = mkdtempSync(path.join(os.tmpdir(), "gantry-observe-"));
  const mod = path.join(work, "observe-module");
  cpSync(path.join(ROOT, "test/fixtures/observe-module"), mod, { recursive: true });
  const state = path.join(work, "state");
  const runsDir = () => path.join(projectStateDir(state, mod), "runs");
  return {
    work,
    mod,
    state,
    gantry: (args, env = {}) =>
      runGantry(args, { cwd: mod, stateDir: state, env: { PATH: process.env.PATH ?? "", ...env } }),
    lastRun: () => {
      const newest = listRuns(runsDir())[0];
      return readFileSync(path.join(runsDir(), `${newest}.jsonl`), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as RunEvent);
    },
  };
}

/** Step names by status, from a run's events. */
export function stepsByStatus(events: RunEvent[]): Record<string, string[]> {
  const names = new Map<string, string>();
  const out: Record<string, string[]> = {};
  for (const e of events) {
    if (e.type === "step.start") names.set(e.id, e.name);
    if (e.type === "step.end") (out[e.status] ??= []).push(names.get(e.id) ?? e.id);
  }
  return out;
}
