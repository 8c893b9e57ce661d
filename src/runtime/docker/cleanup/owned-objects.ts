// Gantry's images and volumes on a docker engine, for `cache ls|prune|gc`: found by the `gantry.managed` label,
// removed without force and by Gantry's own tags, so a person's image or a volume in use is never taken.
import type Dockerode from "dockerode";
import type { CacheObjects, OwnedImage, OwnedVolume } from "../../cache-objects.js";
import { dockerStatus } from "../connection/docker-errors.js";
import { LABELS, labelFilter, ownerOf, sizeParent } from "./labels.js";
import { cacheVolumeName } from "../exec/cache-volume-name.js";
import { IMPORT_REPO } from "../images/image-load.js";
import { measureDir } from "../../../store/cache/state-dir-usage.js";

/**
 * Repositories Gantry tags its own images in; an image with any other tag belongs to a person too. Imported images
 * (`gantry-import`) cannot carry Gantry's label (their id is the tarball's content), so they are found by their tag.
 */
export const GANTRY_REPOS = ["gantry-cache", "gantry-build", IMPORT_REPO] as const;

type ImageSummary = Awaited<ReturnType<Dockerode["listImages"]>>[number];

/** The docker engine's CacheObjects; `isLocal` when it shares this machine's files (its volume folders may be readable). */
export function dockerCacheObjects(
  docker: Dockerode,
  address: string,
  isLocal = false,
): CacheObjects {
  return {
    address,
    images: () => listOwnedImages(docker),
    addedBytes: (ids, since) => addedBytes(docker, ids, since),
    volumes: (opts) => listOwnedVolumes(docker, opts.sizes),
    cacheVolumeBytes: (caches) =>
      isLocal ? readableVolumeBytes(docker, caches) : Promise.resolve(new Map()),
    removeImage: (image) => removeOwnedImage(docker, image),
    removeVolume: async (name) => settle(docker.getVolume(name).remove()),
  };
}

// Every image with Gantry's label, and the imports it tagged: sizes are what each adds over its parent. One listing
// of all images answers all three questions (which are Gantry's, their parents' sizes, which have children): on an
// engine with thousands of images each listing takes ~0.5 s, filtered by label or reference or not.
async function listOwnedImages(docker: Dockerode): Promise<OwnedImage[]> {
  const all = await docker.listImages({ all: true });
  const owned = all.filter(
    (i) =>
      i.Labels?.[LABELS.managed] === "true" ||
      (i.RepoTags ?? []).some((t) => t.startsWith(`${IMPORT_REPO}:`)),
  );
  const sizes = new Map<string, number>(all.map((i) => [i.Id, i.Size]));
  const hasChild = new Set(all.map((i) => i.ParentId).filter(Boolean));
  for (const i of owned) {
    const p = sizeParent(i.ParentId, i.Labels);
    if (p && !sizes.has(p)) sizes.set(p, await parentSize(docker, p));
  }
  return owned.map((i) => toOwnedImage(i, sizes, hasChild));
}

// What images a run made add: each one's size over its nearest ancestor that is older than the run or is itself one
// of `ids` (so a chain of steps counts each layer once, and a build's or file operation's intermediate images, made
// during the run too, count with the image on them). A gone image counts 0.
async function addedBytes(
  docker: Dockerode,
  ids: readonly string[],
  since = Number.POSITIVE_INFINITY,
): Promise<number> {
  const made = new Set(ids);
  let total = 0;
  for (const id of made) {
    const img = await inspected(docker, id);
    if (!img) continue;
    const over = sizeParent(img.Parent, img.Config?.Labels ?? undefined);
    let parent = over ? await inspected(docker, over) : undefined;
    for (let hops = 0; parent && !made.has(parent.Id) && hops < 200; hops++) {
      if (Date.parse(parent.Created) < since - 1000) break; // the engine dates images to the second
      // a loaded source layer or a BuildKit snapshot of the run goes on to the base its label names
      const next = sizeParent(parent.Parent, parent.Config?.Labels ?? undefined);
      if (!next) break;
      parent = await inspected(docker, next);
    }
    total += Math.max(0, img.Size - (parent?.Size ?? 0));
  }
  return total;
}

// An image's inspection, or undefined when it is gone.
function inspected(docker: Dockerode, id: string) {
  return docker
    .getImage(id)
    .inspect()
    .catch(() => undefined);
}

// A parent outside the listing (a run's images were listed alone): its size, or 0 when it is gone.
async function parentSize(docker: Dockerode, id: string): Promise<number> {
  try {
    return (await docker.getImage(id).inspect()).Size;
  } catch {
    return 0;
  }
}

// One image summary in Gantry's terms.
function toOwnedImage(
  i: ImageSummary,
  sizes: Map<string, number>,
  hasChild: Set<string>,
): OwnedImage {
  const tags = (i.RepoTags ?? []).filter((t) => t !== "<none>:<none>");
  const over = sizeParent(i.ParentId, i.Labels);
  const parent = over ? (sizes.get(over) ?? 0) : 0;
  const digest = i.Labels?.[LABELS.digest];
  return {
    id: i.Id,
    tags,
    size: Math.max(0, i.Size - parent),
    created: i.Created * 1000,
    ...(digest ? { digest } : {}),
    hasChildren: hasChild.has(i.Id),
    userTagged: tags.some((t) => !GANTRY_REPOS.some((r) => t.startsWith(`${r}:`))),
    ...withOwner(i.Labels),
  };
}

// Gantry's volumes; `sizes` asks /system/df, which measures every volume (slow on big ones).
async function listOwnedVolumes(docker: Dockerode, sizes: boolean): Promise<OwnedVolume[]> {
  const listed = (await docker.listVolumes({ filters: labelFilter({ [LABELS.managed]: "true" }) }))
    .Volumes;
  const usage = new Map<string, { Size: number; RefCount: number }>();
  if (sizes) {
    const df = (await docker.df()) as {
      Volumes?: { Name: string; UsageData?: { Size: number; RefCount: number } }[];
    };
    for (const v of df.Volumes ?? []) if (v.UsageData) usage.set(v.Name, v.UsageData);
  }
  return (listed ?? []).map((v) => {
    const labels = v.Labels ?? {};
    const kind = labels[LABELS.temp] ? "temp" : labels[LABELS.cache] ? "cache" : "other";
    const u = usage.get(v.Name);
    const created = (v as { CreatedAt?: string }).CreatedAt;
    return {
      name: v.Name,
      kind,
      ...(labels[LABELS.cache] ? { cache: labels[LABELS.cache] } : {}),
      ...(labels[LABELS.run] ? { run: labels[LABELS.run] } : {}),
      ...(u && u.Size >= 0 ? { size: u.Size } : {}),
      ...(u && u.RefCount >= 0 ? { refCount: u.RefCount } : {}),
      ...(created && !Number.isNaN(Date.parse(created)) ? { created: Date.parse(created) } : {}),
      ...withOwner(labels),
    } satisfies OwnedVolume;
  });
}

// The `owner` field of an object whose labels name its state dir.
function withOwner(labels: Record<string, string> | undefined): Pick<OwnedImage, "owner"> {
  const owner = ownerOf(labels ?? undefined);
  return owner ? { owner } : {};
}

// Size cache volumes by walking their folders where this process can read them (root, rootless docker): only the
// volumes a run used, never every volume as /system/df would. A folder it cannot read is left out.
async function readableVolumeBytes(
  docker: Dockerode,
  caches: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const cache of new Set(caches)) {
    const info = await docker
      .getVolume(cacheVolumeName(cache))
      .inspect()
      .catch(() => undefined);
    if (!info?.Mountpoint || info.Driver !== "local") continue;
    const m = await measureDir(info.Mountpoint, { strict: true }).catch(() => undefined);
    if (m) out.set(cache, m.bytes);
  }
  return out;
}

// An image without children goes by id (its tag may have moved to another state dir's commit of the same step since
// it was listed). One that has children (the next step's snapshot) cannot go yet: it loses Gantry's tags, and docker
// removes it with its last child. Never with force, never a person's tag.
async function removeOwnedImage(docker: Dockerode, image: OwnedImage): Promise<boolean> {
  if (image.userTagged) return false;
  if (!image.hasChildren && image.tags.length <= 1)
    return settle(docker.getImage(image.id).remove());
  let ok = image.tags.length > 0;
  for (const tag of image.tags) ok = (await settle(docker.getImage(tag).remove())) && ok;
  return ok;
}

// Removal that the engine refused (in use: 409) or that found nothing (404) is a "no", not an error.
async function settle(call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (err) {
    const status = dockerStatus(err);
    if (status === 404 || status === 409) return false;
    throw err;
  }
}
