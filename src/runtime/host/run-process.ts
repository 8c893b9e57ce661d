// One child process with streamed output, optional stdin, and cancellation that kills everything it started.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";

export interface ProcessSpec {
  file: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd: string;
  stdin?: string;
  signal: AbortSignal;
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
  /** Open fd 3 as a pipe and collect what the child writes there (bwrap's --json-status-fd). */
  statusFd?: boolean;
  /**
   * Give the child this process's own stdin, stdout and stderr (an interactive shell on the person's terminal), in
   * this process's group so it stays in the terminal's foreground; its output is then not collected.
   */
  inheritStdio?: boolean;
}

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** What arrived on fd 3. */
  status: string;
  cancelled: boolean;
}

/** Run to completion; on abort, SIGKILL the child's whole process group and still wait for it to be gone. */
export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      // Its own process group, so one kill reaches grandchildren too (not a terminal's shell: it must stay in the
      // terminal's foreground group to read the keyboard).
      detached: !spec.inheritStdio,
      stdio: spec.inheritStdio
        ? ["inherit", "inherit", "inherit", spec.statusFd ? "pipe" : "ignore"]
        : [
            spec.stdin === undefined ? "ignore" : "pipe",
            "pipe",
            "pipe",
            spec.statusFd ? "pipe" : "ignore",
          ],
    });
    let cancelled = false;
    const kill = (): void => {
      cancelled = true;
      if (spec.inheritStdio) child.kill("SIGKILL");
      else killGroup(child.pid);
    };
    if (spec.signal.aborted) kill();
    else spec.signal.addEventListener("abort", kill, { once: true });
    const stdout = collect(child.stdout, (c) => spec.onOutput?.("stdout", c));
    const stderr = collect(child.stderr, (c) => spec.onOutput?.("stderr", c));
    const status = collect(child.stdio[3] as Readable | null, () => undefined);
    if (child.stdin) {
      child.stdin.on("error", () => undefined); // A child that never reads its stdin is not an error.
      child.stdin.end(spec.stdin);
    }
    // A container stops with its main process; leftovers here would also hold our pipes open forever.
    if (!spec.inheritStdio) child.on("exit", () => killGroup(child.pid));
    child.on("error", (e) => {
      spec.signal.removeEventListener("abort", kill);
      reject(e);
    });
    child.on("close", (code, sig) => {
      spec.signal.removeEventListener("abort", kill);
      const exitCode = code ?? 128 + (sig ? constants.signals[sig] : 0);
      resolve({ exitCode, stdout: stdout(), stderr: stderr(), status: status(), cancelled });
    });
  });
}

/** SIGKILL a process group; a group that is already gone is fine. */
function killGroup(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(-pid, "SIGKILL");
  } catch {
    // Nothing left to kill.
  }
}

/** Decode a stream as UTF-8 without splitting characters across chunks; returns a getter for the whole text. */
function collect(stream: Readable | null, onChunk: (chunk: string) => void): () => string {
  if (!stream) return () => "";
  const decoder = new StringDecoder("utf8");
  const parts: string[] = [];
  stream.on("data", (b: Buffer) => {
    const text = decoder.write(b);
    if (text) {
      parts.push(text);
      onChunk(text);
    }
  });
  stream.on("end", () => {
    const rest = decoder.end();
    if (rest) {
      parts.push(rest);
      onChunk(rest);
    }
  });
  return () => parts.join("");
}
