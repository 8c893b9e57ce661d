// `dag.container()` without `from` starts from nothing; docker needs an image for that, so make an empty one once.
import type Dockerode from "dockerode";
import { Readable } from "node:stream";
import { ImageError } from "../../../errors.js";
import { engineMessage } from "../connection/docker-errors.js";
import { inspectImage } from "../images/image-resolver.js";
import { followJsonProgress } from "../images/json-progress.js";

export const SCRATCH_REPO = "gantry-scratch";
export const SCRATCH_REF = `${SCRATCH_REPO}:latest`;

/** An empty tar: two zero blocks. */
const EMPTY_TAR = Buffer.alloc(1024);

// The id of gantry-scratch:latest, importing an empty tar the first time any run needs it.
export async function ensureScratchImage(docker: Dockerode): Promise<string> {
  const existing = await inspectImage(docker, SCRATCH_REF);
  if (existing) return existing.Id;
  try {
    const stream = await docker.importImage(Readable.from([EMPTY_TAR]), {
      repo: SCRATCH_REPO,
      tag: "latest",
    });
    await followJsonProgress(stream as Readable);
  } catch (err) {
    throw new ImageError(`could not create the empty image ${SCRATCH_REF}: ${engineMessage(err)}`, {
      cause: err,
      hint: "check that the engine accepts image imports (docker import)",
    });
  }
  const created = await inspectImage(docker, SCRATCH_REF);
  if (!created) throw new ImageError(`the engine did not keep the empty image ${SCRATCH_REF}`);
  return created.Id;
}
