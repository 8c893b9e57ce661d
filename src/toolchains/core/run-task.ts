// A task's failure names the task, the command, and the tool's own last lines, so nobody digs through a trace.
import { ErrorCodes, ExecError, GantryError, TaskError, UsageError } from "../../sdk/index.js";
import { isDryRunStop } from "../../errors.js";
import { showCommand } from "./command.js";
import { withoutToolCheck } from "../../engine/api/index.js";
import { notFoundLine, toolPlace } from "./missing-tool.js";

const TAIL = 30;

// The last lines of a stream, indented under a label; nothing for an empty stream.
function tail(label: string, text: string): string {
  const lines = text.replace(/\n+$/, "").split("\n");
  if (text.trim() === "") return "";
  const shown = lines.slice(-TAIL).map((l) => `  │ ${l}`);
  return `\n  ── ${lines.length > TAIL ? `last ${TAIL} lines of ${label}` : label} ──\n${shown.join("\n")}`;
}

// An ExecError from another copy of the SDK (a module bundled with its own) is still an exec failure.
function asExec(e: unknown): ExecError | undefined {
  if (e instanceof ExecError) return e;
  const x = e as Partial<ExecError> | undefined;
  return x && x.code === "EXEC_ERROR" && Array.isArray(x.cmd) ? (x as ExecError) : undefined;
}

/** The error a failed task raises: `task lint failed: `npm run lint` exited with code 1` and the output. */
export function taskFailure(task: string, e: unknown): TaskError {
  if (e instanceof TaskError) return e;
  const exec = asExec(e);
  if (exec) {
    const line = exec.cmd[0] === "sh" && exec.cmd[1] === "-c" ? (exec.cmd[2] ?? "") : undefined;
    // the project's own command, without the missing-tool wrapper a check runs it in
    const cmd = line === undefined ? exec.cmd : withoutToolCheck(line);
    return new TaskError(
      `task ${task} failed: \`${showCommand(cmd)}\` exited with code ${exec.exitCode}` +
        tail("output", exec.stdout) +
        tail("errors", exec.stderr),
      { tasks: [task], cause: e, ...missingToolHint(exec) },
    );
  }
  const msg = e instanceof Error ? e.message : String(e);
  const hint = e instanceof GantryError ? e.hint : undefined;
  return new TaskError(`task ${task} failed: ${msg}`, {
    tasks: [task],
    cause: e,
    ...(hint ? { hint } : {}),
  });
}

// Exit 127 is the shell's "command not found": say which tool, and where it should have been.
function missingToolHint(exec: ExecError): { hint?: string } {
  if (exec.exitCode !== 127) return {};
  const said = notFoundLine(exec.stderr);
  const tool = said && /(?:^|: )([^\s:]+): (?:command )?not found/.exec(said)?.[1];
  if (!tool) return {};
  const place = toolPlace();
  return { hint: `${tool} is not installed ${place.where}: ${place.fix}` };
}

/**
 * Run one task; a failure becomes a TaskError naming it. A dry run's stop (a step that would run, whose result
 * nothing can plan past) is not a failure of the task: it is passed on as it is, so the CLI reports the dry run.
 */
export async function runTask<T>(task: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw isDryRunStop(e) ? e : taskFailure(task, e);
  }
}

/** What a task left, for a workflow's summary. */
export interface TaskOutcome {
  task: string;
  status: "passed" | "failed" | "not checked" | "skipped" | "not run" | "would run";
  seconds: number;
  /** The task's result text (passed) or its failure. */
  output: string;
  error?: TaskError;
  /** A dry run's stop (status "would run"), passed on by `passOnDryRun`. */
  stop?: unknown;
}

/** `not checked:` at the start of a line marks a result that looked at nothing it could vouch for. */
export function notChecked(output: string): boolean {
  return /^not checked:/m.test(output);
}

/** Run a task and keep its outcome instead of throwing, for workflows that report every task. */
export async function settleTask(
  task: string,
  fn: () => Promise<string | unknown>,
): Promise<TaskOutcome> {
  const t0 = Date.now();
  const seconds = (): number => Math.round((Date.now() - t0) / 100) / 10;
  try {
    const value = await fn();
    const output = typeof value === "string" ? value : "";
    return {
      task,
      status: notChecked(output) ? "not checked" : "passed",
      seconds: seconds(),
      output,
    };
  } catch (e) {
    if (isDryRunStop(e))
      return { task, status: "would run", seconds: seconds(), output: "", stop: e };
    const error = taskFailure(task, e);
    return { task, status: "failed", seconds: seconds(), output: error.message, error };
  }
}

/** In a dry run, a stage where no task failed but some would run ends there, as the dry run's stop. */
export function passOnDryRun(outcomes: readonly TaskOutcome[]): void {
  if (outcomes.some((o) => o.status === "failed")) return;
  const stopped = outcomes.find((o) => o.status === "would run");
  if (stopped) throw stopped.stop;
}

/**
 * A shell a task opens on the person's terminal (`db shell`, `dev shell`): without one, the error names the task and
 * what to do, not the `Container.terminal()` the task opens it with.
 */
export async function onTerminal<T>(
  what: string,
  instead: string,
  open: () => Promise<T>,
): Promise<T> {
  try {
    return await open();
  } catch (e) {
    // the terminal's error itself, or as the cause of the task's failure
    const noTerminal = [e, (e as { cause?: unknown })?.cause].some((x) => {
      const y = x as { code?: string; message?: string } | undefined;
      return y?.code === ErrorCodes.USAGE && /needs an interactive terminal/.test(y.message ?? "");
    });
    if (noTerminal)
      throw new UsageError(
        `${what} needs an interactive terminal, and this run has none (stdin is not a terminal, or CI=true)`,
        { hint: `run it from a terminal; ${instead}`, cause: e },
      );
    throw e;
  }
}
