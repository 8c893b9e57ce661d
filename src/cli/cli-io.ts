// Everything a command touches outside itself, passed in so tests run commands without a real process.
import type { GantryEnv } from "../env.js";
import type { SignalSource } from "../engine/api/index.js";
import type { TextSink } from "./progress/progress-renderer.js";

export interface CliIo {
  cwd: string;
  env: GantryEnv;
  /** The host environment, for `env:NAME` secrets and nothing else. */
  hostEnv: Readonly<Record<string, string | undefined>>;
  stdout: TextSink;
  stderr: TextSink;
  signals: SignalSource;
  /** The person's terminal, when Gantry runs on one: lent to shells (`gantry call -i`, `Container.terminal()`). */
  terminal?: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
  exit: (code: number) => void;
}
