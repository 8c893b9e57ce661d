// Gantry's images and volumes on a docker engine, for `cache ls|prune|gc`: found by the `gantry.managed` label,
// removed without force and by Gantry's own tags, so a person's image or a volume in use is never taken.
import type Dockerode from "dockerode";
import type { CacheObjects, OwnedImage, OwnedVolume } from "../../cache-objects.js";
import { dockerStatus } from "../connection/docker-errors.js";
import { LABELS, labelFilter } from "./labels.js";

/** Repositories Gantry tags its own images in; an image with any other tag belongs to a person too. */
export const GANTRY_REPOS = ["gantry-cache", "gantry-build"] as const;

type ImageSummary = Awaited<ReturnType<Dockerode["listImages"]>>[number];

/** The docker engine's CacheObjects. */
export function dockerCacheObjects(docker: Dockerode, address: string): CacheObjects {
  return {
    address,
    images: () => listOwnedImages(docker),
    addedBytes: (ids) => addedBytes(docker, ids),
    volumes: (opts) => listOwnedVolumes(docker, opts.sizes),
    removeImage: (image) => removeOwnedImage(docker, image),
    removeVolume: async (name) => settle(docker.getVolume(name).remove()),
  };
}

// Every image with Gantry's label: sizes are what each adds over its parent.
async function listOwnedImages(docker: Dockerode): Promise<OwnedImage[]> {
  const owned = await docker.listImages({
    all: true,
    filters: labelFilter({ [LABELS.managed]: "true" }),
  });
  const sizes = new Map<string, number>(owned.map((i) => [i.Id, i.Size]));
  const parents = new Set(owned.map((i) => i.ParentId).filter(Boolean));
  // children: an owned image is a parent of some image (owned or not); one list of all images answers it
  const all = await docker.listImages({ all: true });
  const hasChild = new Set(all.map((i) => i.ParentId).filter(Boolean));
  for (const i of all) sizes.set(i.Id, i.Size);
  for (const p of parents) if (!sizes.has(p)) sizes.set(p, await parentSize(docker, p));
  return owned.map((i) => toOwnedImage(i, sizes, hasChild));
}

// Each image's size over its parent's, by inspecting both; a gone image counts 0.
async function addedBytes(docker: Dockerode, ids: readonly string[]): Promise<number> {
  let total = 0;
  for (const id of new Set(ids)) {
    const img = await docker
      .getImage(id)
      .inspect()
      .catch(() => undefined);
    if (!img) continue;
    total += Math.max(0, img.Size - (img.Parent ? await parentSize(docker, img.Parent) : 0));
  }
  return total;
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
  const parent = i.ParentId ? (sizes.get(i.ParentId) ?? 0) : 0;
  const digest = i.Labels?.[LABELS.digest];
  return {
    id: i.Id,
    tags,
    size: Math.max(0, i.Size - parent),
    created: i.Created * 1000,
    ...(digest ? { digest } : {}),
    hasChildren: hasChild.has(i.Id),
    userTagged: tags.some((t) => !GANTRY_REPOS.some((r) => t.startsWith(`${r}:`))),
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
    } satisfies OwnedVolume;
  });
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
