// An exec's mounts as docker mounts: volumes filled through the archive endpoint, tmpfs, and host files only for secrets.
import type Dockerode from "dockerode";
import { randomBytes } from "node:crypto";
import { mountHasOutput, type MountOutput, type MountSpec } from "../../runtime.js";
import { readMountOutputs } from "./mount-outputs.js";
import { EMPTY_TREE, type Tree } from "../../../store/tree.js";
import { UnsupportedError } from "../../../errors.js";
import type { CacheVolumes } from "./cache-volumes.js";
import { createRunContainer, removeContainer, NEVER_STARTED_CMD } from "./containers.js";
import { ignoreGone } from "../connection/docker-errors.js";
import { LABELS } from "../cleanup/labels.js";
import { ROOT_OWNER, resolveOwner, type Owner } from "./owner.js";
import { imageOwners } from "./image-owners.js";
import { putOwnedTree, putTree } from "./put-archive.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { createSecretDir, type SecretDir } from "./secret-files.js";

export interface PreparedMounts {
  mounts: Dockerode.MountSettings[];
  /** Fill volumes through the created (not started) exec container. */
  populate(container: Dockerode.Container, signal: AbortSignal): Promise<void>;
  /** After the exec: what each writable directory/file mount holds (read before dispose removes the volumes). */
  readOutputs(container: Dockerode.Container, signal: AbortSignal): Promise<MountOutput[]>;
  /** Remove temporary volumes and secret files, release cache volumes. Safe to call twice. */
  dispose(): Promise<void>;
}

interface Fill {
  target: string;
  tree: Tree;
  /** The mount's `owner`: given to the tree and the mount's root, names looked up in the exec's container. */
  owner?: string;
  /** A cache volume made for this exec: seeded and owned now or never, so it goes if that fails. */
  freshVolume?: string;
}

// Build docker mounts for the specs; `image` is used to fill read-only volumes (which putArchive refuses).
export async function prepareMounts(
  ctx: DockerRunContext,
  caches: CacheVolumes,
  specs: readonly MountSpec[],
  image: string,
  signal: AbortSignal,
): Promise<PreparedMounts> {
  const mounts: Dockerode.MountSettings[] = [];
  const fills: Fill[] = [];
  const tempVolumes: string[] = [];
  const releases: Array<() => void> = [];
  let secrets: SecretDir | undefined;
  /** Host copies of writable file mounts, by target: read back after the exec. */
  const fileCopies = new Map<string, string>();
  const owners = imageOwners(ctx, image);
  // cache volumes made for this exec whose seed or owner did not go in (an owner name the image lacks)
  const unfilled: string[] = [];
  const dispose = async () => {
    // removed while still held, so no other exec takes one for a volume already seeded (the container is gone)
    for (const volume of unfilled.splice(0))
      await ignoreGone(ctx.docker.getVolume(volume).remove()).catch(() => undefined);
    releases.splice(0).forEach((release) => release());
    await secrets?.remove();
    for (const volume of tempVolumes.splice(0))
      await ignoreGone(ctx.docker.getVolume(volume).remove());
  };
  try {
    for (const spec of specs) {
      if (spec.kind === "tmp") {
        const TmpfsOptions = spec.size ? { SizeBytes: spec.size, Mode: 0o1777 } : undefined;
        mounts.push({ Type: "tmpfs", Target: spec.target, Source: "", TmpfsOptions });
      } else if (spec.kind === "cache") {
        const acquired = await caches.acquire(spec.volume, spec.sharing, signal);
        releases.push(acquired.release);
        mounts.push(volumeMount(acquired.volume, spec.target, false));
        // a volume is seeded and given its owner once, when made (decision: docs/design-notes/docker-runtime.md)
        if (acquired.fresh && (spec.source || spec.owner))
          fills.push({
            target: spec.target,
            tree: spec.source ?? EMPTY_TREE,
            owner: spec.owner,
            freshVolume: acquired.volume,
          });
      } else if (spec.kind === "dir") {
        const volume = await createTempVolume(ctx);
        tempVolumes.push(volume);
        mounts.push(volumeMount(volume, spec.target, spec.readOnly ?? false));
        if (spec.readOnly) {
          const owner = spec.owner === undefined ? undefined : await owners.of(spec.owner);
          await fillReadOnly(ctx, image, volume, spec.tree, owner);
        } else fills.push({ target: spec.target, tree: spec.tree, owner: spec.owner });
      } else {
        secrets ??= await createSecretDir();
        const owner = await owners.of(spec.owner);
        const mount = await hostFileMount(ctx, secrets, spec, owner);
        mounts.push(mount);
        if (mountHasOutput(spec)) fileCopies.set(spec.target, mount.Source);
      }
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  const populate = async (container: Dockerode.Container, populateSignal: AbortSignal) => {
    try {
      for (const fill of fills) {
        if (fill.owner === undefined)
          await putTree(container, ctx.store, fill.target, fill.tree, ROOT_OWNER, populateSignal);
        else {
          const owner = await resolveOwner(container, fill.owner);
          await putOwnedTree(container, ctx.store, fill.target, fill.tree, owner, populateSignal);
        }
      }
    } catch (err) {
      unfilled.push(...fills.flatMap((f) => (f.freshVolume ? [f.freshVolume] : [])));
      throw err;
    }
  };
  const readOutputs = (container: Dockerode.Container, readSignal: AbortSignal) =>
    readMountOutputs(ctx, container, specs, fileCopies, readSignal);
  return { mounts, populate, readOutputs, dispose };
}

// A file mount or a secret: bind mount of a private host copy, which only an engine on this machine can see.
async function hostFileMount(
  ctx: DockerRunContext,
  secrets: SecretDir,
  spec: Extract<MountSpec, { kind: "file" | "secret" }>,
  owner: Owner,
): Promise<Dockerode.MountSettings> {
  const what = spec.kind === "secret" ? "a mounted secret" : "a mounted file";
  if (!ctx.isLocalEngine) {
    throw new UnsupportedError(
      `${what} at ${spec.target} needs a Docker engine on this machine (it is bind-mounted), and this engine is remote`,
      {
        hint:
          spec.kind === "secret"
            ? "pass the secret as an environment variable (withSecretVariable) instead"
            : "copy the file in with withFile instead of mounting it",
      },
    );
  }
  if (spec.kind === "file" && spec.owner !== undefined) requireGiveAway(spec, owner);
  const source =
    spec.kind === "secret"
      ? await secrets.write(spec.value, spec.mode, owner.uid, owner.gid)
      : await secrets.copy(await ctx.store.locateBlob(spec.entry.digest), spec.entry.mode, owner);
  const readOnly = spec.kind === "secret" || spec.readOnly === true;
  return { Type: "bind", Source: source, Target: spec.target, ReadOnly: readOnly };
}

// A mounted file is a host copy: only root can give it to another user, so an owner that needs that is refused.
function requireGiveAway(spec: Extract<MountSpec, { kind: "file" }>, owner: Owner): void {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || uid === 0 || (uid === owner.uid && gid === owner.gid)) return;
  throw new UnsupportedError(
    `withMountedFile ${spec.target}: owner ${JSON.stringify(spec.owner)} cannot be given: the file is bind-mounted from a host copy, and Gantry runs as uid ${uid}, not root`,
    {
      hint: "copy the file in with withFile(path, file, { owner }) instead, or run Gantry as root",
    },
  );
}

// A named volume mounted without docker's copy of the image's files at the target (mounts hide, as in Dagger).
function volumeMount(volume: string, target: string, readOnly: boolean): Dockerode.MountSettings {
  return {
    Type: "volume",
    Source: volume,
    Target: target,
    ReadOnly: readOnly,
    VolumeOptions: { NoCopy: true } as Dockerode.MountSettings["VolumeOptions"],
  };
}

// A volume for one exec, labelled with the run so that close() and the reaper find it.
async function createTempVolume(ctx: DockerRunContext): Promise<string> {
  const name = `gantry-tmp-${ctx.runId}-${randomBytes(6).toString("hex")}`;
  await ctx.docker.createVolume({ Name: name, Labels: { ...ctx.labels, [LABELS.temp]: "true" } });
  return name;
}

// The engine refuses to write into a read-only mount, so fill the volume through a second, throwaway container.
async function fillReadOnly(
  ctx: DockerRunContext,
  image: string,
  volume: string,
  tree: Tree,
  owner: Owner | undefined,
) {
  const loader = await createRunContainer(ctx, {
    Image: image,
    Entrypoint: [],
    Cmd: NEVER_STARTED_CMD,
    HostConfig: { NetworkMode: "none", Mounts: [volumeMount(volume, "/gantry-fill", false)] },
  });
  try {
    if (owner) await putOwnedTree(loader, ctx.store, "/gantry-fill", tree, owner);
    else await putTree(loader, ctx.store, "/gantry-fill", tree, ROOT_OWNER);
  } finally {
    await removeContainer(loader);
  }
}
