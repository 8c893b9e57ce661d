// The service container's config: the args as the whole command, env with its secrets, the run network and ports.
import type Dockerode from "dockerode";
import type { HealthcheckSpec, ServiceSpec } from "../../runtime.js";
import { UsageError } from "../../../errors.js";
import type { ExecWrapper } from "../exec/exec-wrapper.js";
import { memoryLimitConfig, userOf, workdirOf } from "../exec/exec-config.js";
import { planPorts } from "./service-ports.js";
import type { DockerRunContext } from "../connection/run-context.js";

export interface ServiceContainerParts {
  image: string;
  network: string;
  /** `alias:ip` lines for the services this one is bound to. */
  extraHosts: string[];
  mounts: Dockerode.MountSettings[];
  /** Only to unset image variables the pipeline removed; a service's secrets go in Env. */
  wrapper: ExecWrapper | undefined;
}

// Like an exec's container, but never committed: so secret variables may sit in Env (seen only by `docker inspect`).
export function serviceCreateOptions(
  ctx: DockerRunContext,
  spec: ServiceSpec,
  parts: ServiceContainerParts,
): Dockerode.ContainerCreateOptions {
  const { ExposedPorts, PortBindings } = planPorts(ctx, spec);
  return {
    name: spec.name,
    Labels: spec.labels ? { ...spec.labels } : undefined,
    Image: parts.image,
    Cmd: spec.args,
    Entrypoint: parts.wrapper?.entrypoint ?? [],
    Env: [...spec.env, ...secretEnvLines(spec)],
    WorkingDir: workdirOf(spec),
    User: userOf(spec),
    ExposedPorts,
    Healthcheck: spec.healthcheck ? dockerHealthcheck(spec.healthcheck) : undefined,
    HostConfig: {
      NetworkMode: parts.network,
      Mounts: parts.mounts,
      PortBindings,
      ExtraHosts: parts.extraHosts.length > 0 ? parts.extraHosts : undefined,
      ...memoryLimitConfig(spec.memoryLimit),
      ...(spec.privileged ? { Privileged: true } : {}),
    },
    NetworkingConfig: {
      EndpointsConfig: { [parts.network]: { Aliases: [...spec.aliases] } },
    },
  };
}

// "K=V" lines of the secret variables; a name docker would misread is refused without showing the value.
function secretEnvLines(spec: ServiceSpec): string[] {
  return Object.entries(spec.secretEnv).map(([name, value]) => {
    if (name === "" || name.includes("=") || name.includes("\0") || value.includes("\0")) {
      throw new UsageError(
        `service ${spec.label ?? spec.step}: secret variable ${JSON.stringify(name)} cannot be passed to a container: use a name without = and a value without NUL bytes`,
      );
    }
    return `${name}=${value}`;
  });
}

// Docker takes health durations in nanoseconds.
function dockerHealthcheck(hc: HealthcheckSpec): Dockerode.HealthConfig {
  return {
    Test: [...hc.test],
    Interval: hc.intervalMs * 1e6,
    Timeout: hc.timeoutMs * 1e6,
    StartPeriod: hc.startPeriodMs * 1e6,
    Retries: hc.retries,
  };
}
