// Turn a stopped (or never started) container into an image; the only way docker makes a snapshot.
import type Dockerode from "dockerode";
import { ImageError } from "../../../errors.js";
import { engineMessage } from "../connection/docker-errors.js";

/**
 * The config the image gets. Docker merges the container's own config into it for every field left
 * out (and appends env keys the body lacks), so callers give every field they care about.
 */
export interface CommitConfig {
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, object>;
}

export interface CommitOptions {
  config: CommitConfig;
  /** Tag the image `repo:tag`; left untagged (dangling until a child refers to it) otherwise. */
  repo?: string;
  tag?: string;
  comment?: string;
}

/** Dockerode sends `_query` as the query string and `_body` as the JSON body; its types do not say so. */
type CommitWithBody = (opts: { _query: Record<string, unknown>; _body: CommitConfig }) => Promise<{
  Id: string;
}>;

// Commit without pausing (the container is not running) and return the new image id.
export async function commitContainer(
  container: Dockerode.Container,
  opts: CommitOptions,
): Promise<string> {
  const commit = container.commit.bind(container) as unknown as CommitWithBody;
  const query: Record<string, unknown> = { container: container.id, pause: false };
  if (opts.repo) query.repo = opts.repo;
  if (opts.tag) query.tag = opts.tag;
  if (opts.comment) query.comment = opts.comment;
  try {
    const result = await commit({ _query: query, _body: opts.config });
    return result.Id;
  } catch (err) {
    throw new ImageError(
      `could not save the container's filesystem as an image: ${engineMessage(err)}`,
      {
        cause: err,
        hint: "check the engine's free disk space (docker system df)",
      },
    );
  }
}
