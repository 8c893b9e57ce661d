// One error family with stable codes, so callers (and the CLI's exit handling) branch on `code`, never on text.

export const ErrorCodes = {
  EXEC: "EXEC_ERROR",
  USAGE: "USAGE_ERROR",
  MODULE: "MODULE_ERROR",
  RUNTIME_UNAVAILABLE: "RUNTIME_UNAVAILABLE",
  UNSUPPORTED: "UNSUPPORTED",
  NOT_FOUND: "NOT_FOUND",
  IMAGE: "IMAGE_ERROR",
  CANCELLED: "CANCELLED",
  SERVICE: "SERVICE_ERROR",
  COMPOSE: "COMPOSE_ERROR",
  FUNCTION: "FUNCTION_ERROR",
  EXPORT: "EXPORT_ERROR",
  DEPLOY: "DEPLOY_ERROR",
  TASK: "TASK_FAILED",
  STATE_DIR: "STATE_DIR_ERROR",
  INTERNAL: "INTERNAL_ERROR",
  DRY_RUN: "DRY_RUN_STOP",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base of every error Gantry raises on purpose. */
export abstract class GantryError extends Error {
  abstract readonly code: ErrorCode;
  /** A one-line hint of what to do next, printed under the message by the CLI. */
  readonly hint?: string;
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.hint) this.hint = options.hint;
  }
}

/** Wrong command line, flag or argument value: the user fixes the invocation. */
export class UsageError extends GantryError {
  readonly code = ErrorCodes.USAGE;
}

/** A module that cannot be found, parsed, loaded or introspected. */
export class ModuleError extends GantryError {
  readonly code = ErrorCodes.MODULE;
}

/** No runtime (Docker engine, bubblewrap) is reachable. */
export class RuntimeUnavailableError extends GantryError {
  readonly code = ErrorCodes.RUNTIME_UNAVAILABLE;
}

/** The chosen runtime cannot give what the pipeline asks for (e.g. image export on the host runtime). */
export class UnsupportedError extends GantryError {
  readonly code = ErrorCodes.UNSUPPORTED;
}

/** A path, image, function or object that does not exist. */
export class NotFoundError extends GantryError {
  readonly code = ErrorCodes.NOT_FOUND;
}

/** An image could not be pulled, built, imported or published. */
export class ImageError extends GantryError {
  readonly code = ErrorCodes.IMAGE;
  /** The image reference that could not be had, when the error is about one (a failed pull). */
  readonly ref?: string;
  constructor(message: string, options?: { cause?: unknown; hint?: string; ref?: string }) {
    super(message, options);
    if (options?.ref !== undefined) this.ref = options.ref;
  }
}

/** The run was interrupted (Ctrl-C, a failed sibling). */
export class CancelledError extends GantryError {
  readonly code = ErrorCodes.CANCELLED;
}

/** A service that failed to start, died, or never became ready. */
export class ServiceError extends GantryError {
  readonly code = ErrorCodes.SERVICE;
}

/** A docker-compose file that is malformed or uses something unsupported. */
export class ComposeError extends GantryError {
  readonly code = ErrorCodes.COMPOSE;
}

/** A module function threw an error of its own: the pipeline failed, with the function's message. */
export class FunctionError extends GantryError {
  readonly code = ErrorCodes.FUNCTION;
}

/** An export's host destination cannot take it (a file in the way, no permission, a read-only file system). */
export class ExportError extends GantryError {
  readonly code = ErrorCodes.EXPORT;
}

/**
 * A deploy that did not happen or was undone: a failed health check, release command or quality gate. Traffic stays
 * on (or went back to) the release that served before; the message says which check failed how.
 */
export class DeployError extends GantryError {
  readonly code = ErrorCodes.DEPLOY;
}

/**
 * A toolchain task (format, lint, test, build, a db command…) failed: the message names the task, the command
 * and shows the tool's own output; `tasks` lists every failed task when a workflow ran several.
 */
export class TaskError extends GantryError {
  readonly code = ErrorCodes.TASK;
  readonly tasks: string[];
  constructor(message: string, opts: { tasks: string[]; cause?: unknown; hint?: string }) {
    super(message, opts);
    this.tasks = opts.tasks;
  }
}

/**
 * `--dry-run` reached a step that would have to run: what follows depends on its result, so planning stops there.
 * Not a failure: the CLI reports the plan and exits 0.
 */
export class DryRunStop extends GantryError {
  readonly code = ErrorCodes.DRY_RUN;
  /** The step that would run. */
  readonly step?: string;
  constructor(message: string, options?: { step?: string }) {
    super(message);
    if (options?.step) this.step = options.step;
  }
}

/**
 * Whether `e` is a dry run's stop, also one raised by another copy of the SDK (a module bundled with its own): it is
 * told by its code, and is passed on as it is wherever a failure would be wrapped or counted.
 */
export function isDryRunStop(e: unknown): boolean {
  return (e as { code?: unknown } | undefined)?.code === ErrorCodes.DRY_RUN;
}

/** Gantry's state dir cannot be written (full, read-only, no permission). */
export class StateDirError extends GantryError {
  readonly code = ErrorCodes.STATE_DIR;
}

/** A bug in Gantry itself. */
export class InternalError extends GantryError {
  readonly code = ErrorCodes.INTERNAL;
}

/**
 * An exec that exited with a code its `expect` did not allow.
 *
 * @example
 * try { await ctr.withExec(["false"]).sync() } catch (e) { if (e instanceof ExecError) console.log(e.exitCode) }
 */
export class ExecError extends GantryError {
  readonly code = ErrorCodes.EXEC;
  readonly cmd: string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The kernel killed a process of the exec for memory. */
  readonly oomKilled?: boolean;
  constructor(init: {
    cmd: string[];
    exitCode: number;
    stdout: string;
    stderr: string;
    step?: string;
    /** Killed for memory, and the limit it had (bytes) if the step set one. */
    oom?: { limit?: number };
    /** What happened meanwhile to services the exec was bound to (their exit and last log lines). */
    services?: string;
    /** What to do, when the failure is the engine's rather than the command's. */
    hint?: string;
  }) {
    const what = init.oom
      ? `was killed by the kernel: out of memory (exit code ${init.exitCode}${init.oom.limit ? `, over its memory limit of ${mebibytes(init.oom.limit)}` : ""})`
      : `exited with code ${init.exitCode}`;
    super(
      `exec \`${shellJoin(init.cmd)}\` ${what}` +
        (init.step ? ` (step: ${init.step})` : "") +
        (init.services ? `\n${init.services}` : ""),
      init.oom
        ? {
            hint: init.oom.limit
              ? "raise the step's memory limit (withExec's experimentalMemoryLimit), or make the command use less memory"
              : "give the machine (or Docker's VM) more memory, or make the command use less",
          }
        : init.hint
          ? { hint: init.hint }
          : undefined,
    );
    this.cmd = init.cmd;
    this.exitCode = init.exitCode;
    this.stdout = init.stdout;
    this.stderr = init.stderr;
    if (init.oom) this.oomKilled = true;
  }
}

// Bytes as a person reads a memory limit: "32 MiB".
function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

/** True for errors Gantry raised on purpose (as opposed to bugs). */
export function isGantryError(e: unknown): e is GantryError {
  return e instanceof GantryError;
}

/** A command as a person would paste it into a shell: arguments with spaces or symbols are quoted. */
export function shellJoin(args: readonly string[]): string {
  return args
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`))
    .join(" ");
}
