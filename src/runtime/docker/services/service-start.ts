// Start one service container: file ops and mounts as an exec has them, then started and left running on the run network.
import type Dockerode from "dockerode";
import type { RunningService, ServiceSpec } from "../../runtime.js";
import { CancelledError, ServiceError, UnsupportedError } from "../../../errors.js";
import { applyOpsToImage, applyPuts, splitAtLastRm } from "../exec/apply-ops.js";
import type { CacheVolumes } from "../exec/cache-volumes.js";
import { statPath } from "../exec/container-archive.js";
import { createRunContainer, removeContainer } from "../exec/containers.js";
import { engineMessage } from "../connection/docker-errors.js";
import { removedImageEnv } from "../exec/exec-config.js";
import { prepareMounts, type PreparedMounts } from "../exec/exec-mounts.js";
import { buildExecWrapper } from "../exec/exec-wrapper.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { serviceCreateOptions } from "./service-config.js";
import { resolveBindingHosts } from "./service-bindings.js";
import { boundPortsOf, hostPortsOf } from "./service-ports.js";
import { composeMounts } from "./service-volumes.js";

/** A started service and how to take it down with everything made for it (volumes, secret files, cache locks). */
export interface StartedServiceContainer {
  running: RunningService;
  /** Remove the container, then its mounts' resources. Safe to call twice. */
  dispose(): Promise<void>;
}

// Create, fill and start the container; on any failure (or abort) nothing of it is left behind.
export async function startServiceContainer(
  ctx: DockerRunContext,
  caches: CacheVolumes,
  spec: ServiceSpec,
  network: string,
): Promise<StartedServiceContainer> {
  const { signal } = spec;
  const cancelled = (cause?: unknown) =>
    new CancelledError(`service ${spec.label ?? spec.step} was cancelled while starting`, {
      cause,
    });
  if (signal.aborted) throw cancelled();
  // What exists so far; an abort may take it down while later steps are still in flight, which then throw.
  const owned: { container?: Dockerode.Container; mounts?: PreparedMounts } = {};
  const dispose = async () => {
    signal.removeEventListener("abort", onAbort);
    const { container, mounts } = owned;
    owned.container = undefined;
    owned.mounts = undefined;
    if (container) await removeContainer(container);
    await mounts?.dispose();
  };
  // An abort (Ctrl-C, a failed sibling) takes the container down at once, while starting or long after.
  const onAbort = () => void dispose().catch(() => undefined);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const { head, tail } = splitAtLastRm(spec.ops);
    const image = head.length > 0 ? await applyOpsToImage(ctx, spec.base, head, signal) : spec.base;
    const unset = await removedImageEnv(ctx, image, spec);
    const wrapper = unset.length > 0 ? buildExecWrapper({}, unset) : undefined;
    const extraHosts = await resolveBindingHosts(ctx, spec, network);
    const volumes = await composeMounts(ctx, spec.step, spec.volumes ?? []);
    const mounts = (owned.mounts = await prepareMounts(ctx, caches, spec.mounts, image, signal));
    if (signal.aborted) throw cancelled();
    const options = serviceCreateOptions(ctx, spec, {
      image,
      network,
      extraHosts,
      mounts: [...mounts.mounts, ...volumes],
      wrapper,
    });
    const container = (owned.container = await createOrExplain(ctx, spec, options));
    if (wrapper) await requireShell(container, spec, image);
    await applyPuts(ctx, container, tail, signal);
    await mounts.populate(container, signal);
    if (signal.aborted) throw cancelled();
    await startOrExplain(container, spec);
    const info = await container.inspect();
    if (signal.aborted) throw cancelled();
    const running: RunningService = {
      id: info.Id,
      ip: info.NetworkSettings.Networks[network]?.IPAddress ?? "",
      hostPorts: hostPortsOf(ctx, info),
      boundPorts: boundPortsOf(info),
      ipReachable: ctx.isLocalEngine && process.platform === "linux",
    };
    return { running, dispose };
  } catch (err) {
    await dispose();
    if (signal.aborted && !(err instanceof CancelledError)) throw cancelled(err);
    throw err;
  }
}

// Creation fails for reasons a person fixes (a taken name, a bad mount); say which service and what the engine said.
async function createOrExplain(
  ctx: DockerRunContext,
  spec: ServiceSpec,
  options: Dockerode.ContainerCreateOptions,
): Promise<Dockerode.Container> {
  try {
    return await createRunContainer(ctx, options);
  } catch (err) {
    throw new ServiceError(
      `could not create the container of service ${spec.label ?? spec.step}: ${engineMessage(err)}`,
      {
        cause: err,
        hint: spec.name
          ? `a container named ${spec.name} may be left from another run: remove it (docker rm -f ${spec.name})`
          : undefined,
      },
    );
  }
}

// A command that cannot start (not found, not executable) fails the service here, with the runtime's reason; so does
// a published port another program holds, which needs another hint.
async function startOrExplain(container: Dockerode.Container, spec: ServiceSpec): Promise<void> {
  try {
    await container.start();
  } catch (err) {
    const reason = engineMessage(err)
      .replace(/^.*unable to start container process: /, "")
      .replace(/: unknown$/, "");
    throw new ServiceError(`service ${spec.label ?? spec.step} could not start: ${reason}`, {
      cause: err,
      hint: startHint(reason, spec),
    });
  }
}

/** What to do about a container that would not start, from the engine's reason. */
export function startHint(reason: string, spec: Pick<ServiceSpec, "args">): string {
  // docker's "Bind for 0.0.0.0:18090 failed: port is already allocated", the kernel's "listen tcp4 0.0.0.0:18090: bind:
  // address already in use": another program or container holds a port the service publishes.
  if (/port is already allocated|address already in use/.test(reason)) {
    const port = /(?:Bind for|listen \w+) \[?[\w.:]*?\]?:(\d+)/.exec(reason)?.[1];
    const which = port ? `host port ${port} is` : "a published host port is";
    return `${which} already in use (by another program or container): free it (ss -ltnp, docker ps show who holds it) or publish another host port`;
  }
  return `check that ${spec.args[0] ?? "the command"} exists in the image and is executable`;
}

// Copied from exec-container.ts (private there): unsetting image variables runs through /bin/sh.
async function requireShell(container: Dockerode.Container, spec: ServiceSpec, image: string) {
  if (await statPath(container, "/bin/sh")) return;
  throw new UnsupportedError(
    `service ${spec.label ?? spec.step}: unsetting variables the image sets needs a /bin/sh wrapper, and image ${spec.image ?? image} has no /bin/sh`,
    {
      hint: "keep the image's variables (set them to an empty value instead), or use an image with a shell",
    },
  );
}
