// `docker exec` with its output and exit code: the deploy target tests and reloads its proxy's config this way.
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import type { DeployExecResult } from "../../deployment-runtime.js";
import { CancelledError } from "../../../errors.js";

// Run `args` in the running container, collect stdout and stderr apart, then read the exit code.
export async function execIn(
  docker: Dockerode,
  id: string,
  args: string[],
  signal: AbortSignal,
): Promise<DeployExecResult> {
  if (signal.aborted) throw new CancelledError(`exec ${args.join(" ")} was cancelled`);
  const exec = await docker.getContainer(id).exec({
    Cmd: args,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: false,
    Tty: false,
  });
  const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream & {
    destroy(): void;
  };
  const out = { stdout: "", stderr: "" };
  const sink = (which: "stdout" | "stderr"): PassThrough => {
    const p = new PassThrough();
    p.on("data", (c: Buffer) => (out[which] += c.toString("utf8")));
    return p;
  };
  docker.modem.demuxStream(stream, sink("stdout"), sink("stderr"));
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      stream.destroy();
      reject(new CancelledError(`exec ${args.join(" ")} was cancelled`));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const done = (): void => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    stream.on("end", done);
    stream.on("close", done);
    stream.on("error", (e) => {
      signal.removeEventListener("abort", onAbort);
      reject(e);
    });
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, ...out };
}
