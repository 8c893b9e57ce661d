// The run's private bridge network: services and their consumers meet on it, and close() removes it by its labels.
import { CancelledError, ServiceError } from "../../../errors.js";
import { dockerStatus, engineMessage } from "../connection/docker-errors.js";
import { LABELS } from "../cleanup/labels.js";
import type { DockerRunContext } from "../connection/run-context.js";

// One name per run, so every service and consumer of the run finds the same network.
export function runNetworkName(runId: string): string {
  return `gantry-${runId}`;
}

// Create the run's network, or take the one this run already made (a retry after a lost answer).
export async function ensureRunNetwork(
  ctx: DockerRunContext,
  signal: AbortSignal,
): Promise<string> {
  const name = runNetworkName(ctx.runId);
  if (signal.aborted) throw new CancelledError(`creating network ${name} was cancelled`);
  try {
    await ctx.docker.createNetwork({
      Name: name,
      Driver: "bridge",
      CheckDuplicate: true,
      Labels: { ...ctx.labels },
    });
    return name;
  } catch (err) {
    if (dockerStatus(err) === 409 && (await isOwnNetwork(ctx, name))) return name;
    throw new ServiceError(
      `could not create network ${name} for the run's services: ${engineMessage(err)}`,
      {
        cause: err,
        hint: "remove a leftover network of that name (docker network rm) or free address space (docker network prune)",
      },
    );
  }
}

// A network of the same name is only ours to reuse when it carries this run's label.
async function isOwnNetwork(ctx: DockerRunContext, name: string): Promise<boolean> {
  try {
    const info = (await ctx.docker.getNetwork(name).inspect()) as {
      Labels?: Record<string, string>;
    };
    return info.Labels?.[LABELS.run] === ctx.runId;
  } catch {
    return false;
  }
}
