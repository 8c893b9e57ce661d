// How much Gantry's cache takes, from this state dir's point of view: its own parts (with the host runtime's cache
// volumes one by one), the engine objects its records name (images) or its runs used (cache volumes), and the
// orphans: Gantry's objects that no record names any more, made by this state dir or by one that is gone. What a
// live state dir on the same engine owns is listed apart and never counted or collected here.
import path from "node:path";
import type { CacheObjects, OwnedImage, OwnedVolume } from "../../runtime/cache-objects.js";
import { listHostVolumes } from "../../store/cache/host-volume-dirs.js";
import { measureStateDir, type StatePart } from "../../store/cache/state-dir-usage.js";
import { ownerGone, stateOwner, type StateOwner } from "../../store/cache/state-owner.js";
import { inventoryStore, type StoreInventory } from "../../store/cache/store-inventory.js";
import { readVolumeMarks } from "../../store/cache/use-marks.js";

/** An image this state dir's records name, with the last time one of them was used. */
export interface CacheImage extends OwnedImage {
  lastUsed: number;
}

/** A cache volume this state dir's runs used: on the engine, or (`dir`) a folder of the host runtime's. */
export interface CacheVolume extends OwnedVolume {
  lastUsed: number;
  /** A host runtime cache volume: its folder under `<stateDir>/cache-volumes` (its bytes are the state dir's). */
  dir?: string;
}

/** An engine object with Gantry's labels that nothing names: `mine` (this state dir made it) or `gone` (a deleted one did). */
export type Orphan<T> = T & { orphan: "mine" | "gone" };

export interface CacheUsage {
  stateDir: string;
  /** This state dir, as its objects' labels name it. */
  owner: StateOwner;
  parts: StatePart[];
  store: StoreInventory;
  /** The engine, when one answered; `engineError` says why not otherwise. */
  engine?: string;
  engineError?: string;
  images: CacheImage[];
  /** Engine cache volumes this state dir's runs used, and the host runtime's cache volumes. */
  volumes: CacheVolume[];
  /** Orphans: this state dir's are counted and collected by gc and prune, a gone state dir's by `prune --all`. */
  orphanImages: Orphan<OwnedImage>[];
  orphanVolumes: Orphan<OwnedVolume>[];
  /** Gantry-labelled images and volumes on the engine that belong to others (live state dirs, releases, services). */
  otherImages: OwnedImage[];
  otherVolumes: OwnedVolume[];
  /** Bytes the limit counts: the cache parts of the state dir (host cache volumes included). */
  stateBytes: number;
  /** Bytes the limit counts on the engine: this state dir's images and cache volumes, and its own orphans. */
  engineBytes: number;
}

/** Measure everything (a walk of the state dir, a few engine calls); `volumeSizes` asks the engine to size volumes. */
export async function measureCache(
  stateDir: string,
  objects: CacheObjects | undefined,
  opts: { volumeSizes?: boolean } = {},
): Promise<CacheUsage> {
  const parts = await measureStateDir(stateDir);
  const store = await inventoryStore(path.join(stateDir, "store"));
  const marks = await readVolumeMarks(stateDir);
  const usage: CacheUsage = {
    stateDir,
    owner: await stateOwner(stateDir),
    parts,
    store,
    images: [],
    volumes: (await listHostVolumes(stateDir, marks)).map((v) => ({
      name: `cache-volumes/${path.basename(v.dir)}`,
      kind: "cache" as const,
      cache: v.name,
      size: v.bytes,
      lastUsed: v.lastUsed,
      dir: v.dir,
    })),
    orphanImages: [],
    orphanVolumes: [],
    otherImages: [],
    otherVolumes: [],
    stateBytes: parts.filter((p) => p.cache).reduce((n, p) => n + p.bytes, 0),
    engineBytes: 0,
  };
  if (!objects) return usage;
  usage.engine = objects.address;
  try {
    await sortEngineObjects(usage, objects, marks, opts.volumeSizes ?? true);
  } catch (err) {
    usage.engineError = err instanceof Error ? err.message : String(err);
  }
  usage.engineBytes =
    usage.images.reduce((n, i) => n + i.size, 0) +
    usage.volumes.reduce((n, v) => n + (v.dir ? 0 : (v.size ?? 0)), 0) +
    usage.orphanImages.reduce((n, i) => n + (i.orphan === "mine" ? i.size : 0), 0) +
    usage.orphanVolumes.reduce((n, v) => n + (v.orphan === "mine" ? (v.size ?? 0) : 0), 0);
  return usage;
}

// Each Gantry object on the engine goes to one list: this state dir's, an orphan, or someone else's.
async function sortEngineObjects(
  usage: CacheUsage,
  objects: CacheObjects,
  marks: Map<string, number>,
  volumeSizes: boolean,
): Promise<void> {
  const lastUse = new Map<string, number>();
  for (const r of usage.store.records)
    for (const d of r.refs) lastUse.set(d, Math.max(lastUse.get(d) ?? 0, r.lastUsed));
  const owners = new Owners(usage.owner);
  // the images' listing is the slow one on a big engine: volumes are listed, and sized if need be, beside it
  const listing = objects.images();
  listing.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const listed = await objects.volumes({ sizes: false });
  // sizing volumes measures every volume on the engine: only when some are this state dir's to count (an owner known
  // only from an image is learnt later, so this may size volumes that turn out to be a live state dir's: never fewer)
  const ours = async (v: OwnedVolume) =>
    v.kind === "cache" &&
    v.cache !== undefined &&
    (marks.has(v.cache) || (await owners.orphan(v.owner, v.cache)) !== undefined);
  let sizing: Promise<OwnedVolume[]> | undefined;
  if (volumeSizes) {
    for (const v of listed)
      if (await ours(v)) {
        sizing = objects.volumes({ sizes: true });
        sizing.catch(() => undefined);
        break;
      }
  }
  const images = await listing;
  // learn every owner first: a live state dir known from any of its objects keeps the cache volumes it used
  for (const o of [...images, ...listed]) await owners.orphan(o.owner);
  for (const img of images) {
    const used = lastUse.get(img.id);
    if (img.userTagged) usage.otherImages.push(img);
    else if (used !== undefined) usage.images.push({ ...img, lastUsed: used });
    else {
      const orphan = await owners.orphan(img.owner);
      if (orphan) usage.orphanImages.push({ ...img, orphan });
      else usage.otherImages.push(img);
    }
  }
  const sized = sizing ? await sizing : listed;
  for (const v of sized) {
    const used = v.kind === "cache" && v.cache !== undefined ? marks.get(v.cache) : undefined;
    const orphan = v.kind === "cache" ? await owners.orphan(v.owner, v.cache) : undefined;
    if (used !== undefined) usage.volumes.push({ ...v, lastUsed: used });
    else if (orphan) usage.orphanVolumes.push({ ...v, orphan });
    else usage.otherVolumes.push(v);
  }
}

// Whose an object is: asks the file system once per owner whether its state dir is gone, and reads live state dirs'
// volume marks (cache volumes are shared by name: a live state dir that used one keeps it from being an orphan).
class Owners {
  private readonly gone = new Map<string, Promise<boolean>>();
  private readonly liveMarks = new Map<string, Promise<Map<string, number>>>();
  private readonly live: StateOwner[] = [];

  constructor(private readonly me: StateOwner) {}

  /** `mine`, `gone`, or undefined (a live state dir's, or made before objects named their owner). */
  async orphan(
    owner: StateOwner | undefined,
    cache?: string,
  ): Promise<"mine" | "gone" | undefined> {
    if (!owner) return undefined;
    if (owner.id === this.me.id) return "mine";
    let gone = this.gone.get(owner.id);
    if (!gone) {
      gone = ownerGone(owner);
      this.gone.set(owner.id, gone);
      if (!(await gone) && owner.host === this.me.host) this.live.push(owner);
    }
    if (!(await gone)) return undefined;
    if (cache !== undefined && (await this.usedByLive(cache))) return undefined;
    return "gone";
  }

  // Whether a live state dir on this machine (known from its objects' labels) noted using this cache.
  private async usedByLive(cache: string): Promise<boolean> {
    for (const o of this.live) {
      let m = this.liveMarks.get(o.id);
      if (!m) {
        m = readVolumeMarks(o.dir);
        this.liveMarks.set(o.id, m);
      }
      if ((await m).has(cache)) return true;
    }
    return false;
  }
}
