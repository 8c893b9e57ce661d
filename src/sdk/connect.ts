// Using the SDK from a plain script or test, without `gantry call`: open a run, do the work, clean up.
import { openSession, type RuntimeChoice } from "../engine/open-session.js";
import { readEnv } from "../env.js";
import { EventBus, type EventSink } from "../engine/events.js";

export interface ConnectOptions {
  runtime?: RuntimeChoice;
  events?: EventSink;
  cwd?: string;
}

/**
 * Run `fn` inside a Gantry run; everything the run created is removed when it settles.
 *
 * @example
 * await connect(async () => {
 *   console.log(await dag.container().from("alpine").withExec(["echo", "hi"]).stdout())
 * })
 */
export async function connect<T>(fn: () => Promise<T>, opts: ConnectOptions = {}): Promise<T> {
  const env = readEnv();
  const { session } = await openSession({
    runtime: opts.runtime ?? (env.runtime as RuntimeChoice | undefined) ?? "auto",
    projectDir: opts.cwd ?? process.cwd(),
    cwd: opts.cwd,
    events: opts.events ?? new EventBus(),
    env,
  });
  try {
    return await session.run(fn);
  } finally {
    await session.close();
  }
}
