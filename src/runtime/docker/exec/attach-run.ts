// Run a created container to its exit: attach first (so no output is lost), start, feed stdin, wait.
import type Dockerode from "dockerode";
import { once } from "node:events";
import { Writable, type Duplex } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { setTimeout as delay } from "node:timers/promises";
import { engineMessage } from "../connection/docker-errors.js";

export interface RunOptions {
  /** Written to the process's stdin, which is then closed. The container must be created with OpenStdin. */
  stdin?: string;
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The kernel killed a process of the container for memory (State.OOMKilled). */
  oomKilled?: boolean;
}

/** How long to wait for the last output bytes after the engine reports the exit. */
const OUTPUT_DRAIN_MS = 5_000;

// Attach, start, write stdin, wait for the exit and for the output stream to end.
export async function runAttached(
  container: Dockerode.Container,
  opts: RunOptions = {},
): Promise<RunResult> {
  const withStdin = opts.stdin !== undefined;
  const stream = (await container.attach({
    stream: true,
    stdout: true,
    stderr: true,
    stdin: withStdin,
    hijack: withStdin,
  })) as Duplex;
  const stdout = collector("stdout", opts.onOutput);
  const stderr = collector("stderr", opts.onOutput);
  const ended = Promise.race([once(stream, "end"), once(stream, "close")]).catch(() => undefined);
  // A process that exits without reading all of its stdin makes the write fail (EPIPE); that is its business.
  stream.on("error", () => undefined);
  container.modem.demuxStream(stream, stdout.sink, stderr.sink);
  try {
    const failed = await startOrExplain(container);
    if (failed) {
      opts.onOutput?.("stderr", failed.stderr);
      return failed;
    }
    if (withStdin) stream.end(opts.stdin);
    const exitCode = await waitForExit(container, ended);
    await Promise.race([ended, delay(OUTPUT_DRAIN_MS)]);
    const oomKilled = exitCode !== 0 && (await wasOomKilled(container));
    return {
      exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      ...(oomKilled ? { oomKilled } : {}),
    };
  } finally {
    stream.destroy();
  }
}

/** Once the output has ended, how long the engine may take to report the exit before Gantry asks it directly. */
const EXIT_REPORT_MS = 3_000;

// docker-modem's wait never settles when the connection drops mid-answer (it listens for the body's end only),
// and with the socket gone Node simply exits with nothing pending. So once the output stream has ended, a wait
// that has not answered is checked with an inspect: a lost engine fails the step (its connection error reaches
// engineFailure), an exited container gives its code, a running one (output closed early) is waited for again.
async function waitForExit(
  container: Dockerode.Container,
  ended: Promise<unknown>,
): Promise<number> {
  const abort = new AbortController();
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  let answer!: (r: { code: number } | { error: unknown }) => void;
  const checked = new Promise<{ code: number } | { error: unknown }>((r) => (answer = r));
  const check = async (): Promise<void> => {
    if (settled) return;
    try {
      const state = (await container.inspect()).State as { Running?: boolean; ExitCode?: number };
      if (state.Running) timer = setTimeout(() => void check(), EXIT_REPORT_MS);
      else answer({ code: state.ExitCode ?? 0 });
    } catch (error) {
      answer({ error });
    }
  };
  void ended.then(() => {
    if (!settled) timer = setTimeout(() => void check(), EXIT_REPORT_MS);
  });
  const waiting = (
    container.wait({ abortSignal: abort.signal }) as Promise<{ StatusCode: number }>
  ).then((r) => ({ code: r.StatusCode }));
  try {
    const result = await Promise.race([waiting, checked]);
    if ("error" in result) throw result.error;
    return result.code;
  } finally {
    settled = true;
    clearTimeout(timer);
    abort.abort(); // a wait still pending is given up (its socket may be gone already)
    waiting.catch(() => undefined);
  }
}

// A failed exit is often the kernel's OOM killer (exit 137, or a child killed and the shell going on): docker knows.
async function wasOomKilled(container: Dockerode.Container): Promise<boolean> {
  const state = (await container.inspect()).State as { OOMKilled?: boolean };
  return state.OOMKilled === true;
}

// A command that cannot start (not found: 127, not executable: 126, unknown user) is an exit code, as in a shell.
async function startOrExplain(container: Dockerode.Container): Promise<RunResult | undefined> {
  try {
    await container.start();
    return undefined;
  } catch (err) {
    const state = (await container.inspect()).State as { ExitCode?: number; Error?: string };
    if (!state.ExitCode) throw err;
    const reason = (state.Error ?? "")
      .replace(/^.*unable to start container process: /, "")
      .replace(/: unknown$/, "");
    return { exitCode: state.ExitCode, stdout: "", stderr: `${reason || engineMessage(err)}\n` };
  }
}

// A sink that decodes UTF-8 across chunk boundaries, keeps the text and passes it on as it comes.
function collector(name: "stdout" | "stderr", onOutput: RunOptions["onOutput"]) {
  const decoder = new StringDecoder("utf8");
  const parts: string[] = [];
  const take = (text: string) => {
    if (text === "") return;
    parts.push(text);
    onOutput?.(name, text);
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      take(decoder.write(chunk));
      callback();
    },
  });
  return {
    sink,
    text: () => {
      take(decoder.end());
      return parts.join("");
    },
  };
}
