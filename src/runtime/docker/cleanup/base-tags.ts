// BuildKit execs name their base images with tags of the run's (buildkit/buildkit-exec.ts: BuildKit resolves names,
// not ids, from the engine's store). A run removes its own when it closes; a run that was killed cannot, so each run
// notes its tags in a file of this machine's temp dir and the next run's reaper removes a dead process's. A tag also
// says whose it is (a hash of the machine's name, the pid), for a person reading `docker images`.
import { createHash } from "node:crypto";
import { appendFile, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { ignoreGone } from "../connection/docker-errors.js";
import { entriesOfDeadProcesses } from "../../../process-alive.js";

export const BASE_REPO = "gantry-cache";
const PREFIX = "bk-base-";
const RECORD_PREFIX = "gantry-bk-tags-";

function hostHash(hostname: string): string {
  return createHash("sha256").update(hostname).digest("hex").slice(0, 8);
}

/** The tag (in BASE_REPO) of image `idHex` for run `runId` of this process on this machine. */
export function baseTag(idHex: string, runId: string): string {
  return `${PREFIX}${idHex.slice(0, 32)}-${hostHash(os.hostname())}-p${process.pid}-${runId}`
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .slice(0, 128);
}

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
 * A run's record of the base tags it made, in this machine's temp dir (`gantry-bk-tags-<pid>-<run>`): a tag is written
 * there before it is made, and the file goes when the run has removed them. The reaper reads the files of dead
 * processes instead of listing the engine's images (a filtered listing took ~0.5 s on an engine with 2,000 images).
 */
export function tagRecordPath(runId: string, tmpDir = os.tmpdir()): string {
  return path.join(tmpDir, `${RECORD_PREFIX}${process.pid}-${runId}`);
}

/** Note `tag` in the run's record before making it. */
export async function recordBaseTag(record: string, tag: string): Promise<void> {
  await appendFile(record, `${tag}\n`);
}

/**
 * Remove the base tags dead processes of this machine recorded (never an image's last name: that would delete the
 * image, an untagged file-ops snapshot a record may still name), then their records.
 */
export async function reapBaseTags(
  docker: () => Dockerode,
  isAlive: (pid: number) => boolean,
  tmpDir = os.tmpdir(),
): Promise<number> {
  let removed = 0;
  for (const file of await entriesOfDeadProcesses(tmpDir, RECORD_PREFIX, isAlive)) {
    const tags = (await readFile(file, "utf8").catch(() => "")).split("\n").filter(Boolean);
    for (const tag of tags) if (await removeBaseTag(docker(), tag)) removed++;
    await rm(file, { force: true });
  }
  return removed;
}

/**
 * Untag `tag` (never delete: noprune) unless it is its image's last name (removableBaseTags); whether it went. The
 * closing run and the reaper both untag through this.
 */
export async function removeBaseTag(docker: Dockerode, tag: string): Promise<boolean> {
  const names = (
    await docker
      .getImage(tag)
      .inspect()
      .catch(() => undefined)
  )?.RepoTags;
  if (!names?.includes(tag) || removableBaseTags(names, [tag]).length === 0) return false;
  await ignoreGone(docker.getImage(tag).remove({ noprune: true })).catch(() => undefined);
  return true;
}
