// Container.publish on docker: an image with the pipeline's config, tagged as the ref, pushed, answered by digest.
import type Dockerode from "dockerode";
import type { Readable } from "node:stream";
import type { ImageConfig, RegistryAuth, Snapshot } from "../../runtime.js";
import { CancelledError, ImageError } from "../../../errors.js";
import { engineMessage, ignoreGone } from "../connection/docker-errors.js";
import { inspectImage } from "./image-resolver.js";
import { imageWithConfig } from "./image-with-config.js";
import { followJsonProgress, ProgressStreamError } from "./json-progress.js";
import type { DockerRunContext } from "../connection/run-context.js";

export interface PublishRequest {
  snapshot: Snapshot;
  config: ImageConfig;
  /** `host/repo:tag`; a ref without a tag is pushed as `:latest`. */
  ref: string;
  auth: RegistryAuth | undefined;
  signal: AbortSignal;
}

// Tag, push, then drop the tag it added where that cannot delete an image something else still needs.
export async function publishImage(ctx: DockerRunContext, req: PublishRequest): Promise<string> {
  const { name, tag } = splitRef(req.ref);
  const image = await imageWithConfig(ctx, req.snapshot, req.config, req.signal);
  const alreadyTagged = (await inspectImage(ctx.docker, `${name}:${tag}`))?.Id === image.id;
  try {
    await ctx.docker.getImage(image.id).tag({ repo: name, tag });
  } catch (err) {
    throw new ImageError(`could not tag the image as ${name}:${tag}: ${engineMessage(err)}`, {
      cause: err,
      hint: "check the reference: host[:port]/path/name[:tag], lower case",
    });
  }
  try {
    const own = req.auth ? undefined : await ctx.credentials?.for(registryOf(name));
    const digest = await pushTag(ctx.docker, name, tag, req.auth ?? own, req.signal, !!own);
    return `${name}:${tag}@${digest}`;
  } finally {
    if (!alreadyTagged)
      await untag(ctx.docker, `${name}:${tag}`, image.temporary).catch(() => undefined);
  }
}

// Push one tag and read the manifest digest from the stream's final `aux` line.
async function pushTag(
  docker: Dockerode,
  name: string,
  tag: string,
  auth: RegistryAuth | undefined,
  signal: AbortSignal,
  fromDockerConfig: boolean,
): Promise<string> {
  const ref = `${name}:${tag}`;
  let digest: string | undefined;
  try {
    const opts: Dockerode.ImagePushOptions = { tag, abortSignal: signal };
    if (auth) opts.authconfig = { ...auth };
    const stream = await docker.getImage(name).push(opts);
    await followJsonProgress(stream as Readable, signal, (event) => {
      const aux = (event as { aux?: { Digest?: unknown } }).aux;
      if (typeof aux?.Digest === "string") digest = aux.Digest;
    });
  } catch (err) {
    if (signal.aborted || err instanceof CancelledError) {
      throw new CancelledError(`push of ${ref} was cancelled`, { cause: err });
    }
    const said = err instanceof ProgressStreamError ? err.message : engineMessage(err);
    // a registry may echo what it was sent: the password never goes into the message
    const message = auth ? said.split(auth.password).join("***") : said;
    throw new ImageError(`could not push ${ref}: the registry answered: ${message.trim()}`, {
      cause: err,
      hint: auth
        ? `check the credentials ${fromDockerConfig ? "in your Docker config (docker login)" : "given with withRegistryAuth"} for ${auth.serveraddress} and that the account may push to ${name}`
        : `if the registry needs a login, give credentials with withRegistryAuth("${registryOf(name)}", user, secret) or run docker login ${registryOf(name)}`,
    });
  }
  if (!digest)
    throw new ImageError(`pushed ${ref}, but the engine did not report the manifest digest`);
  return digest;
}

// DELETE /images of a tag only untags while another tag names the image; a temporary image may go entirely.
async function untag(docker: Dockerode, ref: string, temporary: boolean): Promise<void> {
  if (!temporary) {
    const info = await docker.getImage(ref).inspect();
    if ((info.RepoTags ?? []).filter((t) => t !== ref).length === 0) return;
  }
  await ignoreGone(docker.getImage(ref).remove({ noprune: true }));
}

/** `host/repo:tag` → name and tag; a tag is after the last `:` that follows the last `/`. */
export function splitRef(ref: string): { name: string; tag: string } {
  if (ref.includes("@")) {
    throw new ImageError(`cannot publish to ${ref}: a digest reference names existing content`, {
      hint: "publish to a tag (repo:tag); the returned reference carries the digest",
    });
  }
  const colon = ref.lastIndexOf(":");
  if (colon > ref.lastIndexOf("/")) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref, tag: "latest" };
}

// The registry part of a name as Docker reads it, for hints.
function registryOf(name: string): string {
  const first = name.split("/")[0] ?? "";
  return name.includes("/") && (/[.:]/.test(first) || first === "localhost") ? first : "docker.io";
}
