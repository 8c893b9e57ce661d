// What a running service is doing: alive or exited (with its code), healthy or not, and waiting for its exit.
import type Dockerode from "dockerode";
import type { ServiceState } from "../../runtime.js";
import { CancelledError, NotFoundError } from "../../../errors.js";
import { dockerStatus, isNotFound } from "../connection/docker-errors.js";

const HEALTH = new Set(["starting", "healthy", "unhealthy"]);

// Inspect the container; an image without a health command reports no health at all.
export async function readServiceState(docker: Dockerode, id: string): Promise<ServiceState> {
  const info = await inspectService(docker, id);
  const health = info.State.Health?.Status;
  const last = info.State.Health?.Log?.at(-1);
  const failed = last && last.ExitCode !== 0 ? last : undefined;
  return {
    running: info.State.Running,
    exitCode: info.State.Running ? undefined : info.State.ExitCode,
    health: health && HEALTH.has(health) ? (health as ServiceState["health"]) : undefined,
    ...(failed ? { failedHealthCheck: { exitCode: failed.ExitCode, output: failed.Output } } : {}),
  };
}

// Block until the process exits; the run's abort ends the wait (not the service: stopService does that).
export async function waitServiceExit(
  docker: Dockerode,
  id: string,
  signal: AbortSignal,
): Promise<number> {
  const cancelled = (cause?: unknown) =>
    new CancelledError(`waiting for service container ${id} to exit was cancelled`, { cause });
  if (signal.aborted) throw cancelled();
  try {
    const result = (await docker.getContainer(id).wait({ abortSignal: signal })) as {
      StatusCode: number;
    };
    return result.StatusCode;
  } catch (err) {
    if (signal.aborted) throw cancelled(err);
    if (isNotFound(err)) throw gone(id, err);
    throw err;
  }
}

// Ask the process to end (SIGTERM, then SIGKILL after 5 s) or kill it now; one that already ended is fine.
export async function haltService(docker: Dockerode, id: string, kill: boolean): Promise<void> {
  const container = docker.getContainer(id);
  try {
    await (kill ? container.kill() : container.stop({ t: 5 }));
  } catch (err) {
    // 304: already stopped; 404: already removed; 409: not running (kill).
    const status = dockerStatus(err);
    if (status !== 304 && status !== 404 && status !== 409) throw err;
  }
}

// Inspect, with "removed" said as what it means for a service.
async function inspectService(
  docker: Dockerode,
  id: string,
): Promise<Dockerode.ContainerInspectInfo> {
  try {
    return await docker.getContainer(id).inspect();
  } catch (err) {
    if (isNotFound(err)) throw gone(id, err);
    throw err;
  }
}

// The one message for a service container that no longer exists.
function gone(id: string, cause: unknown): NotFoundError {
  return new NotFoundError(
    `service container ${id} no longer exists: it was stopped, or removed when the run ended`,
    { cause, hint: "start the service again (Service.start) if it is still needed" },
  );
}
