// Compose `volumes:` of a service: named volumes that outlive the run, anonymous ones, and bind mounts of host paths.
import type Dockerode from "dockerode";
import type { ServiceSpec } from "../../runtime.js";
import { ServiceError, UnsupportedError } from "../../../errors.js";
import { engineMessage, isNotFound } from "../connection/docker-errors.js";
import type { DockerRunContext } from "../connection/run-context.js";

type VolumeSpec = NonNullable<ServiceSpec["volumes"]>[number];

// Docker mounts for the volumes, creating each named volume that does not exist yet.
export async function composeMounts(
  ctx: DockerRunContext,
  step: string,
  volumes: readonly VolumeSpec[],
): Promise<Dockerode.MountSettings[]> {
  const mounts: Dockerode.MountSettings[] = [];
  for (const v of volumes) {
    if (v.type === "bind") {
      if (!ctx.isLocalEngine) {
        throw new UnsupportedError(
          `service ${step}: bind mount of ${v.source} at ${v.target} needs a Docker engine on this machine, and this engine is remote`,
          { hint: "use a named volume instead, or run against a local engine" },
        );
      }
      mounts.push({ Type: "bind", Source: v.source, Target: v.target, ReadOnly: v.readOnly });
    } else {
      // No source: an anonymous volume, removed with the container.
      if (v.source !== "") await ensureNamedVolume(ctx, step, v.source);
      mounts.push({ Type: "volume", Source: v.source, Target: v.target, ReadOnly: v.readOnly });
    }
  }
  return mounts;
}

// A named volume keeps its data across runs (as compose keeps it until `down -v`): created once, never removed by close().
async function ensureNamedVolume(ctx: DockerRunContext, step: string, name: string) {
  try {
    await ctx.docker.getVolume(name).inspect();
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await ctx.docker.createVolume({ Name: name, Labels: { ...ctx.labels } });
  } catch (err) {
    throw new ServiceError(
      `service ${step}: could not create volume ${name}: ${engineMessage(err)}`,
      {
        cause: err,
        hint: "volume names take letters, digits, _ . - and start with a letter or digit",
      },
    );
  }
}
