// Ctrl-C stops the run and removes what it created; a second Ctrl-C quits at once, leaving cleanup to the next run.
export interface SignalSource {
  on(signal: "SIGINT" | "SIGTERM", handler: () => void): unknown;
  off(signal: "SIGINT" | "SIGTERM", handler: () => void): unknown;
}

/**
 * On the first SIGINT/SIGTERM call `shutdown` (cancel, close, clean up) and then `exit(130)`; on the
 * second, `exit(130)` at once. Returns the function that removes the handlers.
 */
export function installInterrupts(opts: {
  signals: SignalSource;
  shutdown: () => Promise<void>;
  exit: (code: number) => void;
  say: (text: string) => void;
}): () => void {
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) {
      opts.exit(130);
      return;
    }
    interrupted = true;
    opts.say(
      "\nInterrupted: stopping the run and removing its containers (Ctrl-C again to quit at once)\n",
    );
    void opts.shutdown().finally(() => opts.exit(130));
  };
  opts.signals.on("SIGINT", onSignal);
  opts.signals.on("SIGTERM", onSignal);
  return () => {
    opts.signals.off("SIGINT", onSignal);
    opts.signals.off("SIGTERM", onSignal);
  };
}
