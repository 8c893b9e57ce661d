// Lending the person's terminal to a shell: one at a time, with the progress view held until the shell exits.
import type { TerminalHost } from "../engine/api/index.js";
import type { ProgressRenderer } from "./progress/progress-renderer.js";
import type { CliIo } from "./cli-io.js";

/**
 * The session's TerminalHost over the CLI's terminal: a second shell (two steps failing at once) waits for the
 * first; the renderer is paused so its redraws and log lines do not land in the shell's screen.
 */
export function terminalGate(
  terminal: NonNullable<CliIo["terminal"]>,
  renderer: ProgressRenderer,
  onFailure: boolean,
): TerminalHost {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    onFailure,
    use<T>(intro: string, fn: (io: NonNullable<CliIo["terminal"]>) => Promise<T>): Promise<T> {
      const turn = queue.then(async () => {
        renderer.pause?.();
        terminal.stdout.write(intro);
        try {
          return await fn(terminal);
        } finally {
          terminal.stdout.write("\n");
          renderer.resume?.();
        }
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}
