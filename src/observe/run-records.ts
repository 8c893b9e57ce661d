// Finding a run's record (`<stateDir>/projects/<id>/runs/<runId>.jsonl`) by id, prefix or "last", for report and explain.
import fs from "node:fs";
import path from "node:path";
import { NotFoundError } from "../errors.js";
import { parseRunRecord, type RunModel } from "./run-model.js";

/** Run ids of a project's records, newest first (ids start with the UTC time they began). */
export function listRuns(runsDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(runsDir).filter((n) => n.endsWith(".jsonl"));
  } catch {
    return [];
  }
  // two runs can start in one second (the id's time part): the file's creation breaks the tie
  const born = new Map(names.map((n) => [n, fs.statSync(path.join(runsDir, n)).birthtimeMs]));
  const stamp = (n: string) => n.slice(0, 14);
  return names
    .sort(
      (a, b) =>
        stamp(b).localeCompare(stamp(a)) || born.get(b)! - born.get(a)! || b.localeCompare(a),
    )
    .map((n) => n.slice(0, -".jsonl".length));
}

/**
 * The record a person means: a path to a `.jsonl` file, a run id or a unique prefix of one, or (undefined,
 * `last`) the newest run of the project. A miss says which runs exist.
 */
export function findRunRecord(runsDir: string, query: string | undefined): string {
  if (query && query.endsWith(".jsonl") && fs.existsSync(query)) return path.resolve(query);
  const runs = listRuns(runsDir);
  if (runs.length === 0)
    throw new NotFoundError(`no runs recorded for this project (looked in ${runsDir})`, {
      hint: "run a function first (gantry call FUNCTION), or run this command in the project's folder or with -m DIR",
    });
  if (!query || query === "last") return path.join(runsDir, `${runs[0]}.jsonl`);
  const hits = runs.filter((r) => r === query || r.startsWith(query));
  if (hits.length === 1) return path.join(runsDir, `${hits[0]}.jsonl`);
  const recent = runs.slice(0, 5).join(", ");
  throw new NotFoundError(
    hits.length === 0
      ? `no run ${JSON.stringify(query)} in this project: recent runs are ${recent}`
      : `${JSON.stringify(query)} matches ${hits.length} runs (${hits.slice(0, 5).join(", ")}): give more of the id`,
  );
}

/** Read and fold a run record. */
export function loadRun(file: string): RunModel {
  return parseRunRecord(fs.readFileSync(file, "utf8"));
}
