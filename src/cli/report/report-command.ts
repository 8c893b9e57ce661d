// `gantry report [RUN] [--output FILE]`: write a run's HTML report and print where it is.
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../../errors.js";
import { renderReport } from "../../observe/report/render-report.js";
import { findRunRecord, loadRun } from "../../observe/run-records.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { splitPositionals } from "../positional-args.js";
import { projectRunsDir } from "../project-runs.js";

const HELP = `Write one self-contained HTML file showing a run: a timeline (cache hits and the critical path
marked), each step's command, time, cache decision and output, and the test results its steps left
as JUnit XML (see docs/report.md). Prints the file's path.

Usage: gantry report [RUN] [--output FILE]

  RUN            a run id or the start of one (default: the project's last run)
  --output FILE  where to write it (default: the project's reports folder in Gantry's state dir)
`;

/** Run `gantry report …`; returns the exit code. */
export function runReport(globals: GlobalOptions, rest: string[], io: CliIo): number {
  let output: string | undefined;
  const words = splitPositionals(rest, globals, {
    output: (v) => {
      if (!v) throw new UsageError("--output needs a file name: --output=report.html");
      output = v;
    },
  });
  if (globals.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (words.length > 1) throw new UsageError(`gantry report takes one run, got ${words.join(" ")}`);
  const runsDir = projectRunsDir(globals, io);
  const run = loadRun(findRunRecord(runsDir, words[0]));
  // beside the runs, in the state dir: never into the project unless asked with --output
  const file = output
    ? path.resolve(io.cwd, output)
    : path.join(path.dirname(runsDir), "reports", `${run.runId}.html`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderReport(run));
  io.stdout.write(`${file}\n`);
  return 0;
}
