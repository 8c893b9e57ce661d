// Ctrl-C (or the terminal closing, or a TERM) stops the run and removes what it created; a second signal quits at once,
// leaving cleanup to the next run.
import { SIGNAL_EXIT, STOPPING, type StopSignal } from "../process-exit.js";

export interface SignalSource {
  on(signal: StopSignal, handler: () => void): unknown;
  off(signal: StopSignal, handler: () => void): unknown;
}

/**
 * On the first SIGINT, SIGTERM or SIGHUP call `shutdown` (cancel, close, clean up) and then exit with that signal's
 * code (130, 143, 129); on a second SIGINT or SIGTERM, exit at once (a second SIGHUP changes nothing). Returns the
 * function that removes the handlers.
 */
export function installInterrupts(opts: {
  signals: SignalSource;
  /** The signals to handle; all three when not given. */
  only?: readonly StopSignal[];
  /** Cancel, close, clean up; told which signal, for the cancellation's reason. */
  shutdown: (signal: StopSignal) => Promise<void>;
  exit: (code: number) => void;
  say: (text: string) => void;
}): () => void {
  let interrupted: StopSignal | undefined;
  const handlers = (opts.only ?? (Object.keys(SIGNAL_EXIT) as StopSignal[])).map((signal) => {
    const handler = (): void => {
      if (interrupted) {
        // A person asks twice to quit at once; a closing terminal hangs up more than once (the terminal, then its
        // session's leader ending), and nobody is there to be impatient: cleanup goes on.
        if (signal !== "SIGHUP") opts.exit(SIGNAL_EXIT[signal]);
        return;
      }
      interrupted = signal;
      const again = signal === "SIGINT" ? "Ctrl-C again" : `another ${signal}`;
      opts.say(
        `\n${STOPPING[signal]}: stopping the run and removing its containers (${again} to quit at once)\n`,
      );
      void opts.shutdown(signal).finally(() => opts.exit(SIGNAL_EXIT[signal]));
    };
    opts.signals.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) opts.signals.off(signal, handler);
  };
}
