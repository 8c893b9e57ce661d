// `ci`: setup → (format ∥ lint ∥ security ∥ test) → (build ∥ image) → smoke → export, every outcome in one table.
import path from "node:path";
import { UsageError, type Container, type Directory } from "../../sdk/index.js";
import { passOnDryRun, settleTask, type TaskOutcome } from "./run-task.js";
import { notes, stageFailure, summaryTable } from "./summary.js";
import type { ToolchainPlan } from "./toolchain-plan.js";

export const CI_TASKS = [
  "setup",
  "format",
  "lint",
  "security",
  "test",
  "build",
  "image",
  "smoke",
] as const;
export type CiTask = (typeof CI_TASKS)[number];

export interface CiSteps {
  run: Set<CiTask>;
  skipped: CiTask[];
  exportDir?: string;
  /** The project's folder on the host, when its source is one: an export into it is new source for the next run. */
  sourceDir?: string;
}

/** The tasks a functions' catalog gives `ci` to run; `ci` calls them through the object, so overrides apply. */
export interface CiHost {
  setup(): Promise<Container>;
  format(): Promise<string>;
  lint(): Promise<string>;
  security(): Promise<string>;
  test(): Promise<string>;
  testReports(): Promise<Directory>;
  build(): Promise<Directory>;
  image(): Promise<Container>;
  smoke(): Promise<string>;
}

/** Which tasks `ci --fast --skip=…` runs; an unknown name in --skip is a usage error listing the names. */
export function ciSteps(
  plan: ToolchainPlan,
  opts: { fast: boolean; skip: string; exportDir: string },
): CiSteps {
  const skip = opts.skip
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  // setup is what every other task runs in: it cannot be left out, so it is not offered
  const skippable = CI_TASKS.filter((t) => t !== "setup");
  for (const s of skip) {
    if (s === "setup")
      throw new UsageError(
        `--skip=setup: every other task runs in what setup installs, so it always runs; the tasks --skip takes are ${skippable.join(", ")}`,
      );
    if (!(CI_TASKS as readonly string[]).includes(s)) {
      throw new UsageError(
        `--skip names an unknown task "${s}": the tasks --skip takes are ${skippable.join(", ")}`,
      );
    }
  }
  const off = new Set<string>(skip);
  if (opts.fast) off.add("security");
  if (!plan.build) off.add("build");
  if (!plan.test) off.add("test");
  if (!plan.dockerfile) off.add("image");
  if (!plan.smoke || off.has("image")) off.add("smoke");
  const run = new Set(CI_TASKS.filter((t) => !off.has(t)));
  const steps: CiSteps = { run, skipped: CI_TASKS.filter((t) => off.has(t)) };
  if (opts.exportDir !== "") steps.exportDir = opts.exportDir;
  return steps;
}

// A skipped task's row in the table.
function skippedRow(task: string): TaskOutcome {
  return { task, status: "skipped", seconds: 0, output: "" };
}

// A task an earlier stage's failure kept from running.
function notRunRow(task: string): TaskOutcome {
  return { task, status: "not run", seconds: 0, output: "" };
}

/** Run the pipeline; throws one TaskError naming every failed task of the first stage that failed. */
export async function runCi(host: CiHost, plan: ToolchainPlan, steps: CiSteps): Promise<string> {
  const outcomes: TaskOutcome[] = [];
  const stage = async (tasks: [CiTask, () => Promise<unknown>][]): Promise<void> => {
    const ran = await Promise.all(
      tasks.filter(([t]) => steps.run.has(t)).map(([t, fn]) => settleTask(t, fn)),
    );
    outcomes.push(...ran);
    passOnDryRun(ran);
    if (ran.some((o) => o.status === "failed")) {
      // the later stages' tasks are listed too: not run because of this failure, or left out by --skip/--fast
      const reached = new Set(outcomes.map((o) => o.task));
      outcomes.push(
        ...CI_TASKS.filter((t) => steps.run.has(t) && !reached.has(t)).map(notRunRow),
        ...steps.skipped.map(skippedRow),
      );
      throw stageFailure("ci", outcomes);
    }
  };
  await stage([["setup", () => host.setup()]]);
  await stage([
    ["format", () => host.format()],
    ["lint", () => host.lint()],
    ["security", () => host.security()],
    ["test", () => host.test()],
  ]);
  let build: Directory | undefined;
  await stage([
    ["build", async () => void (build = await host.build())],
    ["image", () => host.image()],
  ]);
  await stage([["smoke", () => host.smoke()]]);
  const exported: string[] = [];
  const dir = steps.exportDir;
  if (dir !== undefined) {
    const done = await settleTask("export", async () => {
      if (build) exported.push(await build.export(path.join(dir, "build")));
      if (steps.run.has("test") && plan.reports.length > 0)
        exported.push(await (await host.testReports()).export(path.join(dir, "reports")));
    });
    outcomes.push(done);
    passOnDryRun([done]);
    if (done.status === "failed") throw stageFailure("ci", outcomes);
  }
  outcomes.push(...steps.skipped.map(skippedRow));
  const n = notes(outcomes);
  const ex = exported.length > 0 ? `\n\nexported: ${exported.join(", ")}` : "";
  const inside = exportIntoSource(exported, steps.sourceDir, plan.exclude);
  return `${summaryTable(outcomes)}${n ? `\n\n${n}` : ""}${ex}${inside ? `\n${inside}` : ""}`;
}

// A note when the export went into the project's source where no exclude pattern hides it: the next ci sees those
// files as changed source and runs its tasks again.
function exportIntoSource(
  exported: readonly string[],
  sourceDir: string | undefined,
  exclude: readonly string[],
): string | undefined {
  if (!sourceDir) return undefined;
  for (const p of exported) {
    const rel = path.relative(sourceDir, path.resolve(p));
    if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) continue;
    const top = rel.split(path.sep)[0] ?? rel;
    const hidden = exclude.some(
      (e) => e === top || e === `${top}/` || e.startsWith(`${top}/`) || e === `**/${top}`,
    );
    if (!hidden)
      return `note: the export went into the project's source (${top}/): the next ci sees it as changed source and runs again; export outside the project, or add "${top}" to the module's exclude`;
  }
  return undefined;
}
