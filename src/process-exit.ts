// Ending the real process (the CLI, an SDK script) once a run is over: by exit code, and after a hang-up by the signal;
// which signals stop a run, and what each is called.
import { writeSync } from "node:fs";

/** The signals that stop a run (Ctrl-C is SIGINT, a closed terminal SIGHUP); engine/interrupts.ts handles them. */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** The exit code after each signal: 128 + its number, as a shell reports a process the signal ended. */
export const SIGNAL_EXIT: Readonly<Record<StopSignal, number>> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
};

/** What the person reads when the run stops; after a hang-up there may be no terminal to read it, which is fine. */
export const STOPPING: Readonly<Record<StopSignal, string>> = {
  SIGINT: "Interrupted",
  SIGTERM: "Terminated (SIGTERM)",
  SIGHUP: "Hung up (SIGHUP: the terminal closed)",
};

/** Why the run was cancelled, as the cancellation says it. */
export function stopReason(signal: StopSignal): string {
  return signal === "SIGINT" ? "interrupted by Ctrl-C" : `stopped by ${signal}`;
}

/**
 * Exit with `code`. After a hang-up (129) the process ends by SIGHUP itself instead: on a terminal that is gone,
 * Node 20's exit restores the terminal's modes, gets EIO and aborts (SIGABRT, status 134 and maybe a core file;
 * fixed upstream in nodejs/node#58200). Killed by SIGHUP, a shell reports 129 all the same. If the signal is
 * ignored (inherited as such), the plain exit follows.
 */
export function exitProcess(code: number): void {
  if (code === SIGNAL_EXIT.SIGHUP) {
    process.removeAllListeners("SIGHUP"); // the default action again: end the process
    process.kill(process.pid, "SIGHUP");
  }
  process.exit(code);
}

/** Write to stderr now, and never throw or fail later: the terminal may be gone (EIO) or its reader (EPIPE). */
export function sayToStderr(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // nobody to tell
  }
}

/** Whether a write error means the output's reader or terminal is gone, rather than a bug. */
export function isClosedOutput(err: NodeJS.ErrnoException): boolean {
  return err.code === "EIO" || err.code === "EPIPE";
}
