// An interactive shell in an exec's container: a pseudo-terminal relayed to the person's terminal, nothing committed.
import type Dockerode from "dockerode";
import { once } from "node:events";
import type { Duplex } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import type { ExecOutcome, ExecSpec, MountSpec, TerminalIo } from "../../runtime.js";
import { CancelledError, UsageError } from "../../../errors.js";
import { applyOpsToImage, applyPuts, splitAtLastRm } from "./apply-ops.js";
import type { CacheVolumes } from "./cache-volumes.js";
import { createRunContainer, removeContainer } from "./containers.js";
import { engineFailure } from "../connection/docker-errors.js";
import { createOptions, removedImageEnv } from "./exec-config.js";
import { prepareMounts, type PreparedMounts } from "./exec-mounts.js";
import { shellQuote } from "./exec-wrapper.js";
import type { DockerRunContext } from "../connection/run-context.js";

/** Where the shell finds the exec's secret variables: a secret file mount, read once by the entrypoint. */
const ENV_FILE = "/run/gantry-terminal/env";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Secret variables and removed image variables as a sourced file: Env would show them in `docker inspect`, and a
// terminal's stdin is the person's keyboard, so the stdin wrapper of ordinary execs cannot carry them.
function envScript(secretEnv: Readonly<Record<string, string>>, unset: readonly string[]): string {
  const lines = Object.entries(secretEnv).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const gone = unset.filter((k) => NAME.test(k));
  if (gone.length > 0) lines.push(`unset ${gone.join(" ")}`);
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

/** Run `spec.args` on a pseudo-terminal wired to `spec.terminal`; returns when the shell exits. */
export async function runTerminalContainer(
  ctx: DockerRunContext,
  caches: CacheVolumes,
  spec: ExecSpec & { terminal: TerminalIo },
): Promise<ExecOutcome> {
  if (spec.args.length === 0) throw new UsageError(`terminal at ${spec.step} has no command`);
  const { signal } = spec;
  let mounts: PreparedMounts | undefined;
  let container: Dockerode.Container | undefined;
  try {
    const { head, tail } = splitAtLastRm(spec.ops);
    const image = head.length > 0 ? await applyOpsToImage(ctx, spec.base, head, signal) : spec.base;
    const script = envScript(spec.secretEnv, await removedImageEnv(ctx, image, spec));
    const specs: MountSpec[] = [...spec.mounts];
    if (script) specs.push({ kind: "secret", target: ENV_FILE, value: script, mode: 0o400 });
    mounts = await prepareMounts(ctx, caches, specs, image, signal);
    const { stdin: _none, ...plain } = spec;
    const options = createOptions(plain, image, undefined, mounts);
    container = await createRunContainer(ctx, {
      ...options,
      Entrypoint: script ? ["/bin/sh", "-c", `. ${ENV_FILE} && exec "$@"`, "gantry-terminal"] : [],
      Tty: true,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
    });
    await applyPuts(ctx, container, tail, signal);
    await mounts.populate(container, signal);
    if (signal.aborted) throw new CancelledError(`terminal at ${spec.step} was cancelled`);
    const exitCode = await relay(container, spec.terminal, signal);
    return { snapshot: spec.base, exitCode, stdout: "", stderr: "" };
  } catch (err) {
    if (err instanceof CancelledError) throw err;
    throw engineFailure(`opening a terminal at ${spec.step}`, err);
  } finally {
    if (container) await removeContainer(container);
    await mounts?.dispose();
  }
}

// Keys in, screen out, the window size followed; the person's terminal is raw while the shell owns it.
async function relay(
  container: Dockerode.Container,
  io: TerminalIo,
  signal: AbortSignal,
): Promise<number> {
  const stream = (await container.attach({
    stream: true,
    stdin: true,
    stdout: true,
    stderr: true,
    hijack: true,
  })) as Duplex;
  stream.on("error", () => undefined);
  const ended = Promise.race([once(stream, "end"), once(stream, "close")]).catch(() => undefined);
  const onScreen = (b: Buffer) => io.stdout.write(b);
  const onKey = (b: Buffer) => stream.write(b);
  const resize = () =>
    void container
      .resize({ h: io.stdout.rows || 24, w: io.stdout.columns || 80 })
      .catch(() => undefined);
  const kill = () => void container.kill().catch(() => undefined);
  const wasRaw = io.stdin.isTTY ? io.stdin.isRaw : false;
  stream.on("data", onScreen);
  try {
    await container.start();
    resize();
    io.stdout.on("resize", resize);
    signal.addEventListener("abort", kill, { once: true });
    if (io.stdin.isTTY) io.stdin.setRawMode(true);
    io.stdin.on("data", onKey);
    io.stdin.resume();
    const exit = (await container.wait()) as { StatusCode: number };
    await Promise.race([ended, delay(1_000)]); // the shell's last bytes
    return exit.StatusCode;
  } finally {
    io.stdin.off("data", onKey);
    io.stdin.pause();
    if (io.stdin.isTTY) io.stdin.setRawMode(wasRaw);
    io.stdout.off("resize", resize);
    signal.removeEventListener("abort", kill);
    stream.off("data", onScreen);
    stream.destroy();
  }
}
