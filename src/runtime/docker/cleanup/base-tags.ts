// BuildKit execs name their base images with tags of the run's (buildkit/buildkit-exec.ts: BuildKit resolves names,
// not ids, from the engine's store). A run removes its own when it closes; a run that was killed cannot, so a tag says
// whose it is — this machine (a hash of its name) and the process — and the next run's reaper removes a dead one's.
import { createHash } from "node:crypto";
import os from "node:os";
import type Dockerode from "dockerode";
import { ignoreGone } from "../connection/docker-errors.js";
import { engineJson } from "../connection/engine-http.js";
import type { DockerEndpoint } from "../connection/socket-discovery.js";

export const BASE_REPO = "gantry-cache";
const PREFIX = "bk-base-";
const TAG = /^gantry-cache:bk-base-[0-9a-f]+-([0-9a-f]{8})-p(\d+)-/;

function hostHash(hostname: string): string {
  return createHash("sha256").update(hostname).digest("hex").slice(0, 8);
}

/** The tag (in BASE_REPO) of image `idHex` for run `runId` of this process on this machine. */
export function baseTag(idHex: string, runId: string): string {
  return `${PREFIX}${idHex.slice(0, 32)}-${hostHash(os.hostname())}-p${process.pid}-${runId}`
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .slice(0, 128);
}

type Listed = { Id: string; RepoTags?: string[] | null };

/**
 * The base tags of processes of this machine that are gone, each with whether it may go: a tag that is its image's only
 * name stays (removing it would delete the image: an untagged file-ops snapshot, which a record may still name).
 */
export async function staleBaseTags(
  engine: { endpoint: DockerEndpoint } | { docker: Dockerode },
  hostname: string,
  isAlive: (pid: number) => boolean,
): Promise<string[]> {
  const filters = { reference: [`${BASE_REPO}:${PREFIX}*`] };
  const images: Listed[] =
    "endpoint" in engine
      ? ((await engineJson<Listed[]>(
          engine.endpoint,
          `/images/json?filters=${encodeURIComponent(JSON.stringify(filters))}`,
        )) ?? [])
      : await engine.docker.listImages({ filters });
  const host = hostHash(hostname);
  const stale: string[] = [];
  for (const image of images) {
    const tags = image.RepoTags ?? [];
    const dead = tags.filter((t) => {
      const m = TAG.exec(t);
      const pid = Number(m?.[2]);
      return m?.[1] === host && pid !== process.pid && !isAlive(pid);
    });
    if (dead.length > 0 && tags.some((t) => !dead.includes(t))) stale.push(...dead);
    else if (dead.length > 1) stale.push(...dead.slice(1)); // keep one name
  }
  return stale;
}

/** Untag (never delete: noprune, and only tags staleBaseTags found). */
export async function removeBaseTags(docker: Dockerode, tags: readonly string[]): Promise<void> {
  for (const tag of tags)
    await ignoreGone(docker.getImage(tag).remove({ noprune: true })).catch(() => undefined);
}
