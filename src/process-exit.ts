// Ending the real process (the CLI, an SDK script) once a run is over: by exit code, and after a hang-up by the signal.
import { writeSync } from "node:fs";

/** 128 + SIGHUP's number (1), as errors.ts's SIGNAL_EXIT says too. */
const HANGUP_EXIT = 129;

/**
 * Exit with `code`. After a hang-up (129) the process ends by SIGHUP itself instead: on a terminal that is gone,
 * Node 20's exit restores the terminal's modes, gets EIO and aborts (SIGABRT, status 134 and maybe a core file;
 * fixed upstream in nodejs/node#58200). Killed by SIGHUP, a shell reports 129 all the same. If the signal is
 * ignored (inherited as such), the plain exit follows.
 */
export function exitProcess(code: number): void {
  if (code === HANGUP_EXIT) {
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
