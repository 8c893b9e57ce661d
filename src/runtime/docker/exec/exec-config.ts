// The exec container's config: plain env only, the args as the whole command, stdin only when something is written to it.
import type Dockerode from "dockerode";
import { isIP } from "node:net";
import type { ExecSpec } from "../../runtime.js";
import type { ExecWrapper } from "./exec-wrapper.js";
import type { PreparedMounts } from "./exec-mounts.js";
import { inspectImage } from "../images/image-resolver.js";
import type { DockerRunContext } from "../connection/run-context.js";

// The container: the exec's args as Cmd with no entrypoint (Dagger: withExec args are the whole command), plain env only.
export function createOptions(
  spec: ExecSpec,
  image: string,
  wrapper: ExecWrapper | undefined,
  mounts: PreparedMounts,
): Dockerode.ContainerCreateOptions {
  const withStdin = stdinFor(spec, wrapper) !== undefined;
  const extraHosts = (spec.services ?? [])
    .filter((binding) => isIP(binding.target) !== 0)
    .map((binding) => `${binding.alias}:${binding.target}`);
  return {
    Image: image,
    Cmd: spec.args,
    Entrypoint: wrapper?.entrypoint ?? [],
    // volatile variables are given to this container only; the commit writes spec.env alone into the image
    Env: [...spec.env, ...Object.entries(spec.volatileEnv ?? {}).map(([k, v]) => `${k}=${v}`)],
    WorkingDir: workdirOf(spec),
    User: userOf(spec),
    OpenStdin: withStdin,
    StdinOnce: withStdin,
    AttachStdin: withStdin,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      Mounts: mounts.mounts,
      NetworkMode: spec.network,
      ExtraHosts: extraHosts.length > 0 ? extraHosts : undefined,
      ...memoryLimitConfig(spec.memoryLimit),
      ...(spec.privileged ? { Privileged: true } : {}),
    },
  };
}

/** The memory limit as docker takes it: swap included (MemorySwap = Memory), so the kernel kills rather than swaps. */
export function memoryLimitConfig(bytes: number | undefined): {
  Memory?: number;
  MemorySwap?: number;
} {
  return bytes === undefined ? {} : { Memory: bytes, MemorySwap: bytes };
}

// What the process reads on stdin: the wrapper's secret block, then the pipeline's stdin; undefined for none.
export function stdinFor(spec: ExecSpec, wrapper: ExecWrapper | undefined): string | undefined {
  if (!wrapper?.stdinPrefix && spec.stdin === undefined) return undefined;
  return (wrapper?.stdinPrefix ?? "") + (spec.stdin ?? "");
}

// Docker adds every variable of the image's config the container does not set, so removed ones must be unset by hand.
// PATH is left alone: without one, docker and BuildKit both give a default, and so does this.
export async function removedImageEnv(
  ctx: DockerRunContext,
  image: string,
  spec: ExecSpec,
): Promise<string[]> {
  const keep = new Set([...spec.env.map(envKey), ...Object.keys(spec.secretEnv)]);
  return (await imageEnvKeys(ctx, image)).filter((key) => !keep.has(key) && key !== "PATH");
}

/** The names an image's config sets, asked once per image and run (parallel steps over one source share one). */
const envKeysByRun = new WeakMap<DockerRunContext, Map<string, Promise<string[]>>>();

function imageEnvKeys(ctx: DockerRunContext, image: string): Promise<string[]> {
  let known = envKeysByRun.get(ctx);
  if (!known) envKeysByRun.set(ctx, (known = new Map()));
  let keys = known.get(image);
  if (!keys) {
    keys = inspectImage(ctx.docker, image).then((info) => (info?.Config?.Env ?? []).map(envKey));
    known.set(image, keys);
    keys.catch(() => known.delete(image)); // an engine error is asked again by the next exec
  }
  return keys;
}

// "" would let docker take the base image's value back (its config merge); be explicit.
export function workdirOf(spec: ExecSpec): string {
  return spec.workdir || "/";
}

// As above: "" means root, not "whatever user the previous step's image recorded".
export function userOf(spec: ExecSpec): string {
  return spec.user || "0";
}

// "K=V" → "K".
function envKey(entry: string): string {
  const i = entry.indexOf("=");
  return i < 0 ? entry : entry.slice(0, i);
}
