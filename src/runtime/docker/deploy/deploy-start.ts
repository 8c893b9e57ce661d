// Start one deployment container: created with its labels (not the run's, so it outlives the run), filled, started.
import type Dockerode from "dockerode";
import type { DeployContainerSpec, DeployedContainer } from "../../deployment-runtime.js";
import { CancelledError, ServiceError } from "../../../errors.js";
import { dockerStatus, engineMessage, ignoreGone } from "../connection/docker-errors.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { hostPortsOf } from "../services/service-ports.js";
import { putTextFiles } from "./put-text-files.js";
import { LABELS } from "../cleanup/labels.js";

// A release image tagged from a run's snapshot keeps that run's labels (tagImage: dropping one rewrites the image), and
// a container inherits its image's labels: blanked here, or the run's close and the next run's reaper, which find the
// run's throwaway containers by them, would remove a container that is to outlive the run.
const NOT_A_RUNS = { [LABELS.run]: "", [LABELS.pid]: "", [LABELS.host]: "" };

// Create, put files, start, inspect; on any failure the container is removed and the engine's reason is named.
export async function startDeployContainer(
  ctx: DockerRunContext,
  spec: DeployContainerSpec,
): Promise<DeployedContainer> {
  if (spec.signal.aborted) throw new CancelledError(`starting ${spec.name} was cancelled`);
  let container: Dockerode.Container;
  try {
    container = await ctx.docker.createContainer(createOptions(ctx, spec));
  } catch (err) {
    throw new ServiceError(`could not create container ${spec.name}: ${engineMessage(err)}`, {
      cause: err,
      hint:
        dockerStatus(err) === 409
          ? `a container named ${spec.name} already exists: remove it (docker rm -f ${spec.name}) if nothing serves from it`
          : undefined,
    });
  }
  try {
    await putTextFiles(container, spec.files ?? []);
    if (spec.signal.aborted) throw new CancelledError(`starting ${spec.name} was cancelled`);
    try {
      await container.start();
    } catch (err) {
      throw new ServiceError(`container ${spec.name} could not start: ${engineMessage(err)}`, {
        cause: err,
        hint: spec.publish?.some((p) => p.frontend !== undefined)
          ? `is port ${spec.publish.map((p) => p.frontend).join(", ")} already taken on the engine's host?`
          : undefined,
      });
    }
    return described(ctx, await container.inspect());
  } catch (err) {
    await ignoreGone(container.remove({ force: true, v: true }));
    throw err;
  }
}

// Dockerode's create options: no restart policy yet (keepRunning sets it once the release serves).
function createOptions(
  ctx: DockerRunContext,
  spec: DeployContainerSpec,
): Dockerode.ContainerCreateOptions {
  const ExposedPorts: Record<string, object> = {};
  const PortBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.publish ?? []) {
    const key = `${p.backend}/tcp`;
    ExposedPorts[key] = {};
    // A free port is bound on loopback when the engine is this machine: only health checks dial it.
    const hostIp = p.hostIp ?? (p.frontend === undefined && ctx.isLocalEngine ? "127.0.0.1" : "");
    PortBindings[key] = [
      { HostIp: hostIp, HostPort: p.frontend === undefined ? "" : String(p.frontend) },
    ];
  }
  return {
    name: spec.name,
    Image: spec.image,
    Labels: { ...NOT_A_RUNS, ...spec.labels, ...(spec.oneOff ? ctx.labels : {}) },
    Env: spec.env,
    Entrypoint: spec.entrypoint,
    Cmd: spec.cmd,
    ExposedPorts,
    ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
    HostConfig: {
      NetworkMode: spec.network,
      PortBindings,
      Mounts: (spec.mounts ?? []).map((m) => ({
        Type: m.type,
        Source: m.source,
        Target: m.target,
        ReadOnly: m.readOnly ?? false,
      })),
    },
    NetworkingConfig: {
      EndpointsConfig: { [spec.network]: spec.aliases ? { Aliases: spec.aliases } : {} },
    },
  };
}

// The listing shape for a container just inspected.
export function described(
  ctx: DockerRunContext,
  info: Dockerode.ContainerInspectInfo,
): DeployedContainer {
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    labels: info.Config.Labels ?? {},
    running: info.State.Running,
    hostPorts: hostPortsOf(ctx, info),
  };
}
