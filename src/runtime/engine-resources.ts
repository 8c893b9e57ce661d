// What commands that outlive one run need from the engine (`compose down`): this machine's labelled containers, and the reaper.
import os from "node:os";
import type { GantryEnv } from "../env.js";
import type { CacheObjects } from "./cache-objects.js";

/** A container some Gantry process on this machine made. */
export interface LabelledContainer {
  id: string;
  /** The process that made it, when it says. */
  pid?: number;
}

export interface EngineResources {
  /** Containers made on this machine that carry every one of `labels`. */
  containers(labels: Record<string, string>): Promise<LabelledContainer[]>;
  /** Remove what processes that no longer exist left behind; how many containers went. */
  reapStale(): Promise<{ containers: number }>;
  /** The images and volumes Gantry owns there (`cache ls|prune|gc`). */
  cacheObjects: CacheObjects;
}

/** The engine's resources as seen from this machine; fails like a run does when no engine answers. */
export async function openEngineResources(env: GantryEnv): Promise<EngineResources> {
  const { connectDocker } = await import("./docker/connection/connect-docker.js");
  const { reapStale } = await import("./docker/cleanup/reaper.js");
  const { LABELS, labelFilter } = await import("./docker/cleanup/labels.js");
  const { dockerCacheObjects } = await import("./docker/cleanup/owned-objects.js");
  const { docker, address, isLocal } = await connectDocker(env);
  return {
    containers: async (labels) =>
      (
        await docker.listContainers({
          all: true,
          filters: labelFilter({ ...labels, [LABELS.host]: os.hostname() }),
        })
      ).map((c) => {
        const pid = Number(c.Labels[LABELS.pid]);
        return { id: c.Id, pid: Number.isInteger(pid) && pid > 0 ? pid : undefined };
      }),
    reapStale: () => reapStale(docker),
    cacheObjects: dockerCacheObjects(docker, address, isLocal),
  };
}
