// Runs the CLI in-process with captured output, a temp state dir and fake signals.
import { EventEmitter } from "node:events";
import { readEnv } from "../../src/env.js";
import type { CliIo } from "../../src/cli/cli-io.js";
import { main } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `gantry ...args` in `cwd`; never touches the real process's streams, signals or exit. */
export async function runGantry(
  args: string[],
  opts: { cwd: string; stateDir: string; env?: Record<string, string> },
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    cwd: opts.cwd,
    env: readEnv({ HOME: opts.stateDir, GANTRY_STATE_DIR: opts.stateDir, ...opts.env }),
    hostEnv: { ...opts.env },
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    signals: new EventEmitter() as unknown as CliIo["signals"],
    exit: (code) => {
      throw new Error(`exit(${code}) called in a test`);
    },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
