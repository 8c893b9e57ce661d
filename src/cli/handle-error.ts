// The one place errors become output and an exit code: ours get a message, bugs get a stack and a plea.
import { CancelledError, ExecError, GantryError, shellJoin, UsageError } from "../errors.js";
import { SIGNAL_EXIT, STOPPING } from "../process-exit.js";
import { DISK_REFUSALS } from "../store/state-dir-write.js";
import type { ErrorContext } from "./error-context.js";
import { imageDefaultHint } from "./image-default-hint.js";
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

// Duck-typed too: an ExecError raised by another copy of the SDK is still an exec failure.
function asExec(e: unknown): ExecError | undefined {
  if (e instanceof ExecError) return e;
  const x = e as Partial<ExecError> | undefined;
  return x && x.code === "EXEC_ERROR" && Array.isArray(x.cmd) ? (x as ExecError) : undefined;
}

// A write the disk refused (full, quota, read-only), here or in an error's causes: the machine's problem, not a bug
// in Gantry nor a failing step. Most state-dir writes say so themselves (store/state-dir-write.ts); this is the net.
function diskRefusal(e: unknown): NodeJS.ErrnoException | undefined {
  for (let x = e, i = 0; x && i < 8; x = (x as { cause?: unknown }).cause, i++) {
    const code = (x as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code in DISK_REFUSALS) return x as NodeJS.ErrnoException;
  }
  return undefined;
}

/** Print an error to stderr; returns the exit code (2 usage, 130 interrupted (129/143 hung up/terminated), 1 otherwise). */
export function handleError(e: unknown, err: TextSink, ctx: ErrorContext): number {
  const scrub = ctx.scrub ?? ((t: string) => t);
  if (e instanceof CancelledError || (ctx.interrupted && e instanceof GantryError)) {
    err.write(`${STOPPING[ctx.interrupted ?? "SIGINT"]}: ${scrub((e as Error).message)}\n`);
    return SIGNAL_EXIT[ctx.interrupted ?? "SIGINT"];
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
  const disk = diskRefusal(e);
  if (disk && !(e instanceof GantryError && e.hint)) {
    const where = ctx.stateDir ? ` (Gantry's state dir is ${ctx.stateDir})` : "";
    const what = e instanceof Error ? e.message : String(e);
    err.write(
      `Error: a write failed: ${DISK_REFUSALS[disk.code ?? ""]}${where}: ${scrub(what)}\n` +
        "Hint: free some space on that disk (or the project's), or point GANTRY_STATE_DIR at a larger writable " +
        "disk, then run again (nothing half-written is used)\n",
    );
    return 1;
  }
  if (e instanceof GantryError) {
    const more = imageDefaultHint(e, ctx.imageDefaults);
    const hint = [e.hint, more].filter(Boolean).join("; ");
    err.write(`Error: ${scrub(e.message)}\n${hint ? `Hint: ${scrub(hint)}\n` : ""}`);
    if (ctx.debug) err.write(`${scrub(e.stack ?? "")}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
  err.write(
    `${scrub(stack)}\n\nThis is a bug in Gantry, please report it (with the command you ran and the output above).\n`,
  );
  return 1;
}
