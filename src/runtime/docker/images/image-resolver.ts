// `from(ref)`: find the image locally, pull it when missing, and read the config a container starts from.
import type Dockerode from "dockerode";
import type { Readable } from "node:stream";
import type { HealthcheckSpec, ImageConfig, RegistryAuth, ResolvedImage } from "../../runtime.js";
import { CancelledError, UsageError, ImageError, NotFoundError } from "../../../errors.js";
import { engineMessage, isNotFound } from "../connection/docker-errors.js";
import { followJsonProgress } from "./json-progress.js";
import { engineJson } from "../connection/engine-http.js";
import type { DockerEndpoint } from "../connection/socket-discovery.js";
import { clientOf, type LazyDocker } from "../connection/run-context.js";
import type { DockerCredentials } from "../connection/docker-credentials.js";

/** Where a pull's credentials come from: the pipeline's (withRegistryAuth), else the user's Docker config. */
export interface PullAuth {
  auth?: (() => Promise<RegistryAuth | undefined>) | undefined;
  credentials?: DockerCredentials | undefined;
}

// Inspect, pull on a 404, inspect again; the id is the content id `from(ref)` digests on.
export async function resolveImage(
  docker: LazyDocker,
  ref: string,
  signal: AbortSignal,
  opts?: { pull?: boolean; endpoint?: DockerEndpoint | undefined } & PullAuth,
): Promise<ResolvedImage> {
  const found = await inspectImage(docker, ref, opts?.endpoint);
  if (found) return { id: found.Id, config: imageConfigOf(found) };
  if (opts?.pull === false) throw new NotFoundError(`image ${ref} is not on this machine`);
  await pullImage(clientOf(docker), ref, signal, await pullCredentials(ref, opts));
  const pulled = await inspectImage(docker, ref, opts?.endpoint);
  if (!pulled) {
    throw new ImageError(
      `image ${ref} was pulled but the engine does not list it under that name`,
      {
        hint: "pull it by hand (docker pull) and check the name the engine gives it",
      },
    );
  }
  return { id: pulled.Id, config: imageConfigOf(pulled) };
}

// Image inspect, with "no such image" (HTTP 404) as undefined rather than an error; a plain request when the
// endpoint is known (the client may then never be made).
export async function inspectImage(
  docker: LazyDocker,
  ref: string,
  endpoint?: DockerEndpoint,
): Promise<Dockerode.ImageInspectInfo | undefined> {
  try {
    if (endpoint) {
      const at = `/images/${ref.split("/").map(encodeURIComponent).join("/")}/json`;
      return await engineJson<Dockerode.ImageInspectInfo>(endpoint, at);
    }
    return await clientOf(docker).getImage(ref).inspect();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    if (/invalid reference format/i.test(engineMessage(err)))
      throw new UsageError(`${JSON.stringify(ref)} is not a valid image reference`, {
        cause: err,
        hint: "write it as NAME[:TAG] or NAME@sha256:DIGEST, in lower case (like node:22 or ghcr.io/org/app:1.2)",
      });
    throw new ImageError(`could not inspect image ${ref}: ${engineMessage(err)}`, { cause: err });
  }
}

// The pipeline's credentials win; without them, the user's `docker login` for the ref's registry, if any.
async function pullCredentials(ref: string, from: PullAuth | undefined): Promise<PulledWith> {
  const given = await from?.auth?.();
  if (given) return { auth: given, source: "withRegistryAuth" };
  const own = await from?.credentials?.for(registryOfRef(ref));
  return own ? { auth: own, source: "docker config" } : undefined;
}

/** The credentials a pull sends (as X-Registry-Auth) and where they came from, for its error's hint. */
export type PulledWith =
  { auth: RegistryAuth; source: "withRegistryAuth" | "docker config" } | undefined;

// Pull and wait for the whole stream: an error line (bad tag, no access) rejects.
export async function pullImage(
  docker: Dockerode,
  ref: string,
  signal: AbortSignal,
  with_?: PulledWith,
): Promise<void> {
  try {
    // sent as the X-Registry-Auth header (docker-modem takes `authconfig` out of the query)
    const opts = with_
      ? { abortSignal: signal, authconfig: { ...with_.auth } }
      : { abortSignal: signal };
    const stream = (await docker.pull(ref, opts)) as Readable;
    await followJsonProgress(stream, signal);
  } catch (err) {
    if (signal.aborted || err instanceof CancelledError) {
      throw new CancelledError(`pull of image ${ref} was cancelled`, { cause: err });
    }
    // a registry may echo what it was sent: the password never goes into the message
    const why = hide(engineMessage(err).trim(), with_?.auth.password);
    const unreachable =
      /no such host|dial tcp|i\/o timeout|connection refused|network is unreachable/i.test(why);
    throw new ImageError(
      `image ${ref} is not on this machine, and pulling it failed` +
        (unreachable ? " (its registry could not be reached)" : "") +
        `: ${why}`,
      {
        cause: err,
        ref,
        hint: unreachable
          ? "connect to the registry (a proxy? offline?), or `docker load` / `docker build` the image on this machine first"
          : with_
            ? `check the name and tag, and the credentials for ${with_.auth.serveraddress} ` +
              (with_.source === "withRegistryAuth"
                ? "given with withRegistryAuth"
                : "in your Docker config (docker login)")
            : "check the name and tag; for a private registry give credentials with " +
              `withRegistryAuth("${registryOfRef(ref)}", user, secret) or run \`docker login\`, ` +
              "or `docker pull` / `docker load` it yourself when the registry is not reachable",
      },
    );
  }
}

// Every occurrence of a secret replaced, so that no error built from an engine's answer can carry it.
function hide(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("***") : text;
}

/** The registry host of an image reference as Docker reads it (`docker.io` when the first part is no host). */
export function registryOfRef(ref: string): string {
  const slash = ref.indexOf("/");
  const first = slash < 0 ? "" : ref.slice(0, slash);
  const isHost = first.includes(".") || first.includes(":") || first === "localhost";
  return isHost ? first.toLowerCase() : "docker.io";
}

// The parts of an image's Config that say how to run it, with Docker's nulls made empty.
export function imageConfigOf(info: Dockerode.ImageInspectInfo): ImageConfig {
  const c = info.Config as Partial<Dockerode.ImageInspectInfo["Config"]> | null;
  return {
    env: c?.Env ?? [],
    workdir: c?.WorkingDir ?? "",
    user: c?.User ?? "",
    entrypoint: asList(c?.Entrypoint),
    cmd: asList(c?.Cmd),
    labels: c?.Labels ?? {},
    exposedPorts: Object.keys(c?.ExposedPorts ?? {}),
    healthcheck: healthcheckOf(c?.Healthcheck),
  };
}

/** Docker's HEALTHCHECK as the image stores it: durations in nanoseconds, 0 for "the default". */
export interface DockerHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

// Docker's defaults for the durations an image leaves at 0 (30s, 30s, 0s) and for retries (3).
function healthcheckOf(hc: DockerHealthcheck | undefined): HealthcheckSpec | undefined {
  const test = hc?.Test ?? [];
  if (test.length === 0 || test[0] === "NONE") return undefined;
  const ms = (ns: number | undefined, fallback: number) => (ns ? Math.round(ns / 1e6) : fallback);
  return {
    test,
    intervalMs: ms(hc?.Interval, 30_000),
    timeoutMs: ms(hc?.Timeout, 30_000),
    startPeriodMs: ms(hc?.StartPeriod, 0),
    retries: hc?.Retries || 3,
  };
}

// Entrypoint and Cmd come as a list, a string (old images) or null.
function asList(value: string | string[] | null | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === "string" && value !== "" ? [value] : [];
}
