// The one place errors become output and an exit code: ours get a message, bugs get a stack and a plea.
import { CancelledError, ExecError, GantryError, UsageError } from "../errors.js";
import type { ErrorContext } from "./error-context.js";
import type { TextSink } from "./progress/progress-renderer.js";

const TAIL = 20;

// The last lines of an exec's output, labelled, or nothing when the stream was empty.
function tail(label: string, text: string): string {
  const lines = text.replace(/\n+$/, "").split("\n");
  if (text.trim() === "") return "";
  const shown = lines.slice(-TAIL);
  const head = lines.length > TAIL ? `last ${TAIL} lines of ${label}` : label;
  return `  ── ${head} ──\n${shown.map((l) => `  ${l}`).join("\n")}\n`;
}

// A command as a person would paste it into a shell: arguments with spaces or symbols are quoted.
function shellJoin(args: readonly string[]): string {
  return args
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`))
    .join(" ");
}

// Duck-typed too: an ExecError raised by another copy of the SDK is still an exec failure.
function asExec(e: unknown): ExecError | undefined {
  if (e instanceof ExecError) return e;
  const x = e as Partial<ExecError> | undefined;
  return x && x.code === "EXEC_ERROR" && Array.isArray(x.cmd) ? (x as ExecError) : undefined;
}

/** Print an error to stderr; returns the exit code (2 usage, 130 interrupted, 1 otherwise). */
export function handleError(e: unknown, err: TextSink, ctx: ErrorContext): number {
  const scrub = ctx.scrub ?? ((t: string) => t);
  if (e instanceof CancelledError || (ctx.interrupted && e instanceof GantryError)) {
    err.write(`Interrupted: ${scrub((e as Error).message)}\n`);
    return 130;
  }
  const exec = asExec(e);
  if (exec) {
    let text = `Error: ${scrub(exec.message)}\n`;
    if (ctx.fn) text += `  function:  ${ctx.fn}\n`;
    if (ctx.failures?.lastFailed) text += `  step:      ${scrub(ctx.failures.lastFailed)}\n`;
    text += `  command:   ${scrub(shellJoin(exec.cmd))}\n  exit code: ${exec.exitCode}\n`;
    text += tail("stderr", scrub(exec.stderr)) + tail("stdout", scrub(exec.stdout));
    if (exec.hint) text += `Hint: ${scrub(exec.hint)}\n`;
    err.write(text);
    return 1;
  }
  if (e instanceof GantryError) {
    err.write(`Error: ${scrub(e.message)}\n${e.hint ? `Hint: ${scrub(e.hint)}\n` : ""}`);
    if (ctx.debug) err.write(`${scrub(e.stack ?? "")}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
  err.write(
    `${scrub(stack)}\n\nThis is a bug in Gantry, please report it (with the command you ran and the output above).\n`,
  );
  return 1;
}
