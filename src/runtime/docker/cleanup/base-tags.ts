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
 * Which of `going` (base tags of an image whose names are `tags`) may be removed without deleting the image: all of
 * them when it has a name that is no base tag; else all but one, the same one whoever asks (the smallest base tag), so
 * a closing run and a reaper deciding at once never take the last two names between them.
 */
export function removableBaseTags(tags: readonly string[], going: readonly string[]): string[] {
  const isBase = (t: string) => t.startsWith(`${BASE_REPO}:${PREFIX}`);
  if (tags.some((t) => !isBase(t))) return [...going];
  const keeper = [...tags].sort()[0];
  return going.filter((t) => t !== keeper);
}

/**
 * The base tags of processes of this machine that are gone and may go: never an image's last name (removing it would
 * delete the image: an untagged file-ops snapshot, which a record may still name).
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
    stale.push(...removableBaseTags(tags, dead));
  }
  return stale;
}

/** Untag (never delete: noprune, and only tags staleBaseTags found). */
export async function removeBaseTags(docker: Dockerode, tags: readonly string[]): Promise<void> {
  for (const tag of tags)
    await ignoreGone(docker.getImage(tag).remove({ noprune: true })).catch(() => undefined);
}
