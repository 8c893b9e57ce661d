// Deployments on docker: containers, a network and tagged images that carry `gantry.deploy.*` labels instead of the
// run's, so neither the run's cleanup nor the reaper takes them; the deploy layer decides when they go.
import type {
  DeployContainerSpec,
  DeployedContainer,
  DeployExecResult,
  DeploymentRuntime,
} from "../../deployment-runtime.js";
import type { ImageConfig, Snapshot } from "../../runtime.js";
import { ImageError, NotFoundError, ServiceError } from "../../../errors.js";
import {
  dockerStatus,
  engineMessage,
  ignoreGone,
  isNotFound,
} from "../connection/docker-errors.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { LABEL_PREFIX, labelFilter } from "../cleanup/labels.js";
import { inspectImage, resolveImage } from "../images/image-resolver.js";
import { cacheVolumeName } from "../exec/cache-volume-name.js";

// The code behind each operation is loaded on first use: only `deploy` commands reach it.
export class DockerDeployments implements DeploymentRuntime {
  constructor(private readonly ctx: DockerRunContext) {}

  // The daemon's ID survives restarts and differs between engines.
  async engineId(): Promise<string> {
    const info = (await this.ctx.docker.info()) as { ID?: string; Name?: string };
    return (info.ID || info.Name || "docker").replace(/[^A-Za-z0-9]/g, "").slice(0, 12) || "docker";
  }

  // A 409 means it exists already: a deployment's network is made once and kept.
  async ensureNetwork(name: string, labels: Record<string, string>): Promise<void> {
    try {
      await this.ctx.docker.createNetwork({
        Name: name,
        Driver: "bridge",
        CheckDuplicate: true,
        Labels: labels,
      });
    } catch (err) {
      if (dockerStatus(err) === 409) return;
      throw new ServiceError(`could not create network ${name}: ${engineMessage(err)}`, {
        cause: err,
        hint: "free address space for a new network (docker network prune) and deploy again",
      });
    }
  }

  async removeNetwork(name: string): Promise<void> {
    await ignoreGone(this.ctx.docker.getNetwork(name).remove());
  }

  // The snapshot with its config as a real image, tagged `ref`. Gantry's own bookkeeping labels on the snapshot (a
  // build's `gantry.managed` and the state dir that made it) are kept rather than removed: removing one rewrites the
  // whole image (save + load: 7–8 s for a Node image here, where a tag takes milliseconds). The tag is a person's
  // (not one of Gantry's repositories), so `cache gc` never takes the image for it.
  async tagImage(
    snapshot: Snapshot,
    config: ImageConfig,
    ref: string,
    signal: AbortSignal,
  ): Promise<string> {
    const own = (await inspectImage(this.ctx.docker, snapshot))?.Config?.Labels ?? {};
    const kept = Object.fromEntries(
      Object.entries(own).filter(([k]) => k.startsWith(LABEL_PREFIX)),
    );
    const wanted = { ...config, labels: { ...kept, ...config.labels } };
    const { imageWithConfig } = await import("../images/image-with-config.js");
    const image = await imageWithConfig(this.ctx, snapshot, wanted, signal);
    const at = ref.lastIndexOf(":");
    const [repo, tag] =
      at > ref.lastIndexOf("/") ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, "latest"];
    try {
      await this.ctx.docker.getImage(image.id).tag({ repo, tag });
    } catch (err) {
      throw new ImageError(`could not tag the release image as ${ref}: ${engineMessage(err)}`, {
        cause: err,
      });
    }
    return image.id;
  }

  // The engine deletes the image itself only when this was its last tag; one a container still uses stays (409).
  async removeImageTag(ref: string): Promise<void> {
    try {
      await this.ctx.docker.getImage(ref).remove();
    } catch (err) {
      if (isNotFound(err) || dockerStatus(err) === 409) return;
      throw new ImageError(`could not remove the image tag ${ref}: ${engineMessage(err)}`, {
        cause: err,
      });
    }
  }

  async imageTags(repo: string): Promise<string[]> {
    const found = await this.ctx.docker.listImages({ filters: { reference: [repo] } });
    return found.flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith(`${repo}:`));
  }

  async imageId(ref: string): Promise<string | undefined> {
    return (await inspectImage(this.ctx.docker, ref))?.Id;
  }

  async ensureImage(ref: string, signal: AbortSignal): Promise<string> {
    return (await resolveImage(this.ctx.docker, ref, signal, { credentials: this.ctx.credentials }))
      .id;
  }

  async start(spec: DeployContainerSpec): Promise<DeployedContainer> {
    const { startDeployContainer } = await import("./deploy-start.js");
    return startDeployContainer(this.ctx, spec);
  }

  // Inspect each (the list endpoint does not give published ports in a usable shape); vanished ones are skipped.
  async list(labels: Record<string, string>): Promise<DeployedContainer[]> {
    const found = await this.ctx.docker.listContainers({ all: true, filters: labelFilter(labels) });
    const { described } = await import("./deploy-start.js");
    const out: DeployedContainer[] = [];
    for (const c of found) {
      try {
        out.push(described(this.ctx, await this.ctx.docker.getContainer(c.Id).inspect()));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return out;
  }

  async keepRunning(id: string): Promise<void> {
    await this.ctx.docker.getContainer(id).update({ RestartPolicy: { Name: "unless-stopped" } });
  }

  async exec(id: string, args: string[], signal: AbortSignal): Promise<DeployExecResult> {
    const { execIn } = await import("./container-exec.js");
    return execIn(this.ctx.docker, id, args, signal);
  }

  async putFiles(id: string, files: { path: string; contents: string }[]): Promise<void> {
    const { putTextFiles } = await import("./put-text-files.js");
    return putTextFiles(this.ctx.docker.getContainer(id), files);
  }

  async state(id: string): Promise<{ running: boolean; exitCode?: number }> {
    try {
      const info = await this.ctx.docker.getContainer(id).inspect();
      return {
        running: info.State.Running,
        exitCode: info.State.Running ? undefined : info.State.ExitCode,
      };
    } catch (err) {
      if (isNotFound(err))
        throw new NotFoundError(`container ${id} is gone from the engine`, { cause: err });
      throw err;
    }
  }

  async wait(id: string, signal: AbortSignal): Promise<number> {
    const r = (await this.ctx.docker.getContainer(id).wait({ abortSignal: signal })) as {
      StatusCode: number;
    };
    return r.StatusCode;
  }

  async logs(id: string, tail: number): Promise<string> {
    const { readServiceLogs } = await import("../services/service-logs.js");
    return readServiceLogs(this.ctx.docker, id, tail);
  }

  // Graceful stop first (a release finishing its requests), then removal with its anonymous volumes.
  async remove(id: string, timeoutSec: number): Promise<void> {
    const c = this.ctx.docker.getContainer(id);
    await ignoreGone(
      c.stop({ t: timeoutSec }).catch((err: unknown) => {
        if (dockerStatus(err) === 304) return; // already stopped
        throw err;
      }),
    );
    await ignoreGone(c.remove({ force: true, v: true }));
  }

  // The runs' cache volumes are named docker volumes; a dev container mounts one by that name.
  cacheVolume(cache: string): string {
    return cacheVolumeName(cache);
  }
}
