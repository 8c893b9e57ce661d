// How much Gantry's cache takes, from this state dir's point of view: its own parts, and the engine objects its
// records name (images) or its runs used (cache volumes). Other state dirs may share the engine; what they own
// is listed apart and never counted or collected here.
import path from "node:path";
import type { CacheObjects, OwnedImage, OwnedVolume } from "../../runtime/cache-objects.js";
import { measureStateDir, type StatePart } from "../../store/cache/state-dir-usage.js";
import { inventoryStore, type StoreInventory } from "../../store/cache/store-inventory.js";
import { readVolumeMarks } from "../../store/cache/use-marks.js";

/** An image this state dir's records name, with the last time one of them was used. */
export interface CacheImage extends OwnedImage {
  lastUsed: number;
}

/** A cache volume this state dir's runs used. */
export interface CacheVolume extends OwnedVolume {
  lastUsed: number;
}

export interface CacheUsage {
  stateDir: string;
  parts: StatePart[];
  store: StoreInventory;
  /** The engine, when one answered; `engineError` says why not otherwise. */
  engine?: string;
  engineError?: string;
  images: CacheImage[];
  volumes: CacheVolume[];
  /** Gantry-labelled images and volumes on the engine that this state dir does not name (other state dirs', orphans). */
  otherImages: OwnedImage[];
  otherVolumes: OwnedVolume[];
  /** Bytes the limit counts: the cache parts of the state dir. */
  stateBytes: number;
  /** Bytes the limit counts on the engine: this state dir's images and cache volumes. */
  engineBytes: number;
}

/** Measure everything (a walk of the state dir, two or three engine calls); `volumeSizes` asks the engine to size volumes. */
export async function measureCache(
  stateDir: string,
  objects: CacheObjects | undefined,
  opts: { volumeSizes?: boolean } = {},
): Promise<CacheUsage> {
  const parts = await measureStateDir(stateDir);
  const store = await inventoryStore(path.join(stateDir, "store"));
  const usage: CacheUsage = {
    stateDir,
    parts,
    store,
    images: [],
    volumes: [],
    otherImages: [],
    otherVolumes: [],
    stateBytes: parts.filter((p) => p.cache).reduce((n, p) => n + p.bytes, 0),
    engineBytes: 0,
  };
  if (!objects) return usage;
  usage.engine = objects.address;
  try {
    const lastUse = new Map<string, number>();
    for (const r of store.records)
      for (const d of r.refs) lastUse.set(d, Math.max(lastUse.get(d) ?? 0, r.lastUsed));
    for (const img of await objects.images()) {
      const used = lastUse.get(img.id);
      if (used !== undefined && !img.userTagged) usage.images.push({ ...img, lastUsed: used });
      else usage.otherImages.push(img);
    }
    const marks = await readVolumeMarks(stateDir);
    // sizing volumes measures every volume on the engine: only when this state dir has some to count
    const sizes = (opts.volumeSizes ?? true) && marks.size > 0;
    for (const v of await objects.volumes({ sizes })) {
      const used = v.kind === "cache" && v.cache !== undefined ? marks.get(v.cache) : undefined;
      if (used !== undefined) usage.volumes.push({ ...v, lastUsed: used });
      else usage.otherVolumes.push(v);
    }
  } catch (err) {
    usage.engineError = err instanceof Error ? err.message : String(err);
  }
  usage.engineBytes =
    usage.images.reduce((n, i) => n + i.size, 0) +
    usage.volumes.reduce((n, v) => n + (v.size ?? 0), 0);
  return usage;
}
