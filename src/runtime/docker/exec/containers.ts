// Create and remove the run's containers in one way, so every one carries the run's labels and none leaks.
import type Dockerode from "dockerode";
import type { DockerRunContext } from "../connection/run-context.js";
import { ignoreGone } from "../connection/docker-errors.js";

/** Cmd of containers that are only written to and read from, never started; it shows in `docker history`. */
export const NEVER_STARTED_CMD = ["gantry-file-ops"];

// Create a container with the run's labels added to whatever labels the caller gives.
export async function createRunContainer(
  ctx: DockerRunContext,
  options: Dockerode.ContainerCreateOptions,
): Promise<Dockerode.Container> {
  return ctx.docker.createContainer({
    ...options,
    Labels: { ...options.Labels, ...ctx.labels },
  });
}

// A container from `image` that nothing runs in: a place to put, read and commit files.
export function createFileContainer(
  ctx: DockerRunContext,
  image: string,
  cmd: string[] = NEVER_STARTED_CMD,
): Promise<Dockerode.Container> {
  return createRunContainer(ctx, {
    Image: image,
    Entrypoint: [],
    Cmd: cmd,
    User: "0:0",
    WorkingDir: "/",
    NetworkDisabled: true,
    HostConfig: { NetworkMode: "none" },
  });
}

// Remove a container and its anonymous volumes; already gone is fine.
export async function removeContainer(container: Dockerode.Container): Promise<void> {
  await ignoreGone(container.remove({ force: true, v: true }));
}
