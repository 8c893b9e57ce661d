// The CLI's entry: global flags, the command (loaded only when run), and the one place errors become exit codes.
import { isatty } from "node:tty";
import { readEnv } from "../env.js";
import { UsageError } from "../errors.js";
import { exitProcess, isClosedOutput, sayToStderr } from "../process-exit.js";
import { gantryVersion } from "../module/gantry-version.js";
import { suggestion } from "../module/names.js";
import type { CliIo } from "./cli-io.js";
import type { ErrorContext } from "./error-context.js";
import { parseArgv } from "./global-flags.js";
import { handleError } from "./handle-error.js";
import { topHelp } from "./help-text.js";

const COMMANDS = [
  "functions",
  "call",
  "core",
  "install",
  "check",
  "init",
  "develop",
  "compose",
  "cache",
  "report",
  "ci",
  "doctor",
] as const;

// Dispatch to a command; each lives in its own folder and is imported only when it runs.
async function dispatch(argv: readonly string[], io: CliIo, errors: ErrorContext): Promise<number> {
  const { globals, command, rest } = parseArgv(argv, io.env);
  // --debug after the command word is read by the command; GANTRY_DEBUG and a leading --debug are known here
  errors.debug = globals.debug;
  if (globals.version) {
    io.stdout.write(`gantry ${gantryVersion()}\n`);
    return 0;
  }
  if (command === undefined || command === "help") {
    io.stdout.write(topHelp());
    return 0;
  }
  switch (command) {
    case "functions": {
      const { runFunctions } = await import("./functions/functions-command.js");
      return runFunctions(globals, rest, io);
    }
    case "call": {
      const { runCall } = await import("./call/call-command.js");
      return runCall(globals, rest, io, errors);
    }
    case "core": {
      const { runCore } = await import("./core/core-command.js");
      return runCore(globals, rest, io, errors);
    }
    case "check": {
      const { runCheck } = await import("./check/check-command.js");
      return runCheck(globals, rest, io, errors);
    }
    case "init": {
      const { runInit } = await import("./init/init-command.js");
      return runInit(globals, rest, io);
    }
    case "develop": {
      const { runDevelop } = await import("./develop/develop-command.js");
      return runDevelop(globals, rest, io);
    }
    case "install": {
      const { runInstall } = await import("./install/install-command.js");
      return runInstall(globals, rest, io);
    }
    case "compose": {
      const { runCompose } = await import("./compose/compose-command.js");
      return runCompose(globals, rest, io, errors);
    }
    case "cache": {
      const { runCache } = await import("./cache/cache-command.js");
      return runCache(globals, rest, io);
    }
    case "report": {
      const { runReport } = await import("./report/report-command.js");
      return runReport(globals, rest, io);
    }
    case "ci": {
      const { runCi } = await import("./ci/ci-command.js");
      return runCi(globals, rest, io);
    }
    case "doctor": {
      const { runDoctor } = await import("./doctor/doctor-command.js");
      return runDoctor(globals, rest, io);
    }
    default:
      throw new UsageError(
        `unknown command "${command}": commands are ${COMMANDS.join(", ")}.${suggestion(command, COMMANDS)}`,
      );
  }
}

/** Run the CLI with these arguments; returns the exit code and never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const errors: ErrorContext = { stateDir: io.env.stateDir };
  try {
    return await dispatch(argv, io, errors);
  } catch (e) {
    return handleError(e, io.stderr, errors);
  }
}

// Where a shell draws: stdout when it is the terminal, else stderr (`gantry call -i fn | tee log` still shows it).
function ttyOut(): NodeJS.WriteStream {
  return process.stdout.isTTY ? process.stdout : process.stderr;
}

/** The `gantry` binary: the real process's arguments, streams and signals. */
export async function runCli(): Promise<void> {
  const io: CliIo = {
    cwd: process.cwd(),
    env: readEnv(),
    hostEnv: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
    exit: exitProcess,
    // only when stdin is a terminal: reading process.stdin opens it, and a pipe must stay the pipeline's
    ...(isatty(0) ? { terminal: { stdin: process.stdin, stdout: ttyOut() } } : {}),
  };
  // Node exits with 13 and no word when the event loop empties under a promise nobody will settle (a library
  // that never answers once its socket is gone): say something a person can act on instead.
  const onStall = () => {
    process.stderr.write(
      "Error: internal error: Gantry stopped with a request left unanswered (a connection to the engine may have closed mid-answer)\n" +
        "Hint: check that Docker is still running (docker info), run again, and report this as a Gantry bug\n",
    );
    process.exit(1);
  };
  process.once("beforeExit", onStall);
  // A terminal that closed mid-run (SIGHUP) fails every later write (EIO), a reader that went away (`| head`) with
  // EPIPE, a failing disk under `> out.json` with EIO: none is a reason to crash before the run has removed its
  // containers. Lost progress (stderr) is only lost; a lost result (stdout) makes a run that succeeded exit 1.
  let resultLost = false;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (!isClosedOutput(err)) throw err;
    resultLost = true;
  });
  process.stderr.on("error", (err: NodeJS.ErrnoException) => {
    if (!isClosedOutput(err)) throw err;
  });
  const code = await main(process.argv.slice(2), io);
  process.off("beforeExit", onStall);
  // open handles (sockets to the engine, timers in user code) must not keep a finished CLI alive
  process.stdout.write("", () => {
    if (code === 0 && resultLost) sayToStderr("Error: the result could not be written to stdout\n");
    exitProcess(code === 0 && resultLost ? 1 : code);
  });
}
