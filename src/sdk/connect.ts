// Using the SDK from a plain script or test, without `gantry call`: open a run, do the work, clean up — also on Ctrl-C.
import type { Writable } from "node:stream";
import * as engine from "../engine/api/index.js";
import type { EventSink, RuntimeChoice, Session } from "../engine/api/index.js";
import { readEnv } from "../env.js";
import { exitProcess, sayToStderr, stopReason } from "../process-exit.js";
import { dag, type Client } from "./dag.js";

export interface ConnectOptions {
  runtime?: RuntimeChoice;
  events?: EventSink;
  cwd?: string;
  /**
   * Stop the run and remove what it created on SIGINT/SIGTERM/SIGHUP, then exit with 130/143/129, as the CLI does
   * (default true). SIGHUP is left alone when the script already listens for it. Turn it off where the caller
   * handles signals itself.
   */
  handleSignals?: boolean;
  /** Dagger's name for `cwd`, accepted so that a Dagger script runs unchanged; `cwd` wins when both are given. */
  Workdir?: string;
  /**
   * Dagger's engine log stream, accepted so that a Dagger script runs unchanged. Gantry's SDK scripts print no
   * progress; pass `events` to watch the run.
   */
  LogOutput?: Writable;
}

/**
 * An open run for SDK scripts. Dispose of it with `await using` (or call `close()`): everything the
 * run created (containers, networks, services) is removed.
 *
 * @example
 * await using run = await openRun()
 * const out = await run.do(() => dag.container().from("alpine").withExec(["echo", "hi"]).stdout())
 */
export class Run {
  private readonly uninstall: () => void;

  /** @internal */
  constructor(
    private readonly session: Session,
    /** Which runtime and why, as the CLI's first line says it. */
    readonly note: string,
    handleSignals: boolean,
  ) {
    this.uninstall = handleSignals
      ? engine.installInterrupts({
          signals: process,
          // a script that handles SIGHUP itself (a reload) keeps it
          only: process.listenerCount("SIGHUP") > 0 ? ["SIGINT", "SIGTERM"] : undefined,
          say: sayToStderr, // after a hang-up the terminal is gone: a write must not crash the cleanup
          shutdown: async (signal) => {
            session.cancel(stopReason(signal));
            await this.close();
          },
          exit: exitProcess,
        })
      : () => undefined;
  }

  /** Run SDK calls in this run; evaluators inside `fn` use it. */
  do<T>(fn: () => Promise<T>): Promise<T> {
    return this.session.run(fn);
  }

  /** Remove everything the run created. Safe to call more than once. */
  async close(): Promise<void> {
    this.uninstall();
    await this.session.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Open a run: Docker when an engine answers, else the host runtime (see `run.note`). */
export async function openRun(opts: ConnectOptions = {}): Promise<Run> {
  const env = readEnv();
  const cwd = opts.cwd ?? opts.Workdir;
  const { session, note } = await engine.openSession({
    runtime: opts.runtime ?? (env.runtime as RuntimeChoice | undefined) ?? "auto",
    projectDir: cwd ?? process.cwd(),
    cwd,
    events: opts.events ?? new engine.EventBus(),
    env,
  });
  return new Run(session, note, opts.handleSignals ?? true);
}

/**
 * Run `fn` inside a Gantry run; everything the run created is removed when it settles, or on Ctrl-C. `fn` is given
 * the client, `dag`, as Dagger's `connect` gives its callback one.
 *
 * @example
 * await connect(async (client) => {
 *   console.log(await client.container().from("alpine").withExec(["echo", "hi"]).stdout())
 * })
 */
export async function connect<T>(
  fn: (client: Client) => Promise<T>,
  opts: ConnectOptions = {},
): Promise<T> {
  const run = await openRun(opts);
  try {
    return await run.do(() => fn(dag));
  } finally {
    await run.close();
  }
}

/**
 * Dagger's `connection`: run `fn` with the global `dag` connected to a Gantry run, and close the run (removing
 * what it created) when `fn` settles.
 *
 * @example
 * await connection(async () => {
 *   console.log(await dag.container().from("alpine").withExec(["echo", "hi"]).stdout())
 * }, { LogOutput: process.stderr })
 */
export async function connection<T>(fn: () => Promise<T>, opts: ConnectOptions = {}): Promise<T> {
  return connect(() => fn(), opts);
}
