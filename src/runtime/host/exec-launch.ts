// Starting the exec's process: through bwrap over the upper directory, or directly in plain mode.
import { readFile, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import { NotFoundError, RuntimeUnavailableError } from "../../errors.js";
import type { ExecSpec } from "../runtime.js";
import { runProcess, type ProcessResult } from "./run-process.js";
import { sandboxArgs } from "./sandbox-args.js";
import { isReserved, type SystemView } from "./system-view.js";

export interface Launch {
  mode: "bubblewrap" | "plain";
  view: SystemView;
  uid: number;
  env: Record<string, string>;
  /** The exec's upper directory: "/" in the sandbox, the container root in plain mode. */
  upper: string;
  /** Absolute container workdir. */
  workdir: string;
  /** The exec's private directory for generated files (hosts). */
  scratch: string;
  mountArgs: readonly string[];
  /** Start bwrap through this instead of directly (the overlay's mount first); receives bwrap's arguments. */
  wrap?: (bwrapArgs: string[]) => { file: string; args: string[]; cwd: string };
}

/** Run the exec's command to completion; the exit code is the command's own, never bwrap's. */
export async function launch(spec: ExecSpec, l: Launch): Promise<ProcessResult> {
  const common = {
    env: l.env,
    stdin: spec.stdin,
    signal: spec.signal,
    onOutput: spec.onOutput,
    inheritStdio: spec.terminal !== undefined,
  };
  const [cmd = "", ...rest] = spec.args;
  if (l.mode === "plain") {
    const cwd = isReserved(l.view, l.workdir) ? l.workdir : path.join(l.upper, l.workdir);
    return runProcess({ ...common, file: cmd, args: rest, cwd }).catch((cause: unknown) => {
      throw new NotFoundError(
        `cannot start ${JSON.stringify(cmd)} (step: ${spec.step}): ${String(cause)}`,
        {
          cause,
        },
      );
    });
  }
  const hostsFile = spec.services?.length ? await writeHostsFile(spec, l.scratch) : undefined;
  const args = [...sandboxArgs({ ...l, hostsFile }), ...spec.args];
  const start = l.wrap ? l.wrap(args) : { file: "bwrap", args, cwd: "/" };
  let result: ProcessResult;
  try {
    result = await runProcess({ ...common, ...start, statusFd: true });
  } catch (cause) {
    throw new RuntimeUnavailableError(
      `bubblewrap (bwrap) could not be started for step ${spec.step}: install the bubblewrap package, ` +
        `or run with --runtime=docker`,
      { cause },
    );
  }
  if (!result.cancelled) result.exitCode = sandboxExitCode(result, spec.step);
  return result;
}

/** bwrap reports the command's exit code on its status fd; no report means the sandbox itself failed. */
function sandboxExitCode(result: ProcessResult, step: string): number {
  const m = /"exit-code"\s*:\s*(\d+)/.exec(result.status);
  if (m) return Number(m[1]);
  throw sandboxFailure(result.stderr, step);
}

/**
 * Why bwrap could not make the sandbox, with what to do: a path it was to mount that is not there is not the
 * kernel's doing (a folder removed while the step started, or Gantry's own mistake), anything else most often is.
 */
export function sandboxFailure(stderr: string, step: string): RuntimeUnavailableError {
  const lines = stderr.trim().split("\n");
  const why = lines.filter((line) => line.startsWith("bwrap:")).join("; ") || lines.join("; ");
  const missing = /Can't find source path|No such file or directory/.test(why);
  const todo = missing
    ? "a path the sandbox mounts is missing (removed while the step started?): run again, and if it stays, " +
      "run with --debug and report it, or run with --runtime=docker"
    : "check that this kernel allows user namespaces, or run with --runtime=docker";
  return new RuntimeUnavailableError(
    `bubblewrap could not set up the sandbox for step ${step}: ${why}: ${todo}`,
  );
}

/** Service aliases resolve through a copy of the host's /etc/hosts shown in its place. */
async function writeHostsFile(spec: ExecSpec, dir: string): Promise<string> {
  const lines = (spec.services ?? []).map(
    (s) => `${isIP(s.target) ? s.target : "127.0.0.1"}\t${s.alias}`,
  );
  const file = path.join(dir, "hosts");
  const host = await readFile("/etc/hosts", "utf8").catch(() => "127.0.0.1\tlocalhost\n");
  await writeFile(file, `${host.trimEnd()}\n# gantry service bindings\n${lines.join("\n")}\n`);
  return file;
}
