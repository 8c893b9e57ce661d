// Orphans are Gantry's engine objects that no state dir's records name (docs/cache.md, "Orphans"): this state dir's
// own (a run that crashed between commit and record, an image the engine refused to remove while a container used
// it) go with every gc and prune, as garbage; a deleted state dir's only with `cache prune --all`.
import type { CacheObjects } from "../../runtime/cache-objects.js";
import type { Removal } from "./cache-collect.js";
import type { CacheUsage } from "./cache-usage.js";

export interface OrphanPass {
  objects?: CacheObjects;
  goneOrphans?: boolean;
  /** What a run in progress may have made since: kept (the engine dates images to the second). */
  protectFrom: number;
  enough: () => boolean;
  done: (r: Removal, remove: () => Promise<boolean>) => Promise<boolean>;
}

/** Remove the orphans that qualify; a dry run only lists them. */
export async function collectOrphans(usage: CacheUsage, pass: OrphanPass): Promise<void> {
  const objects = pass.objects;
  if (!objects) return;
  const wanted = (orphan: "mine" | "gone") => orphan === "mine" || pass.goneOrphans === true;
  // children before parents: an image another is built on can only go after it
  const images = [...usage.orphanImages].sort(
    (a, b) => Number(a.hasChildren) - Number(b.hasChildren),
  );
  for (const img of images) {
    if (pass.enough()) return;
    if (!wanted(img.orphan) || img.created >= pass.protectFrom - 1000) continue;
    await pass.done(
      {
        what: "image",
        name: img.tags[0] ?? img.id,
        bytes: img.size,
        engine: true,
        orphan: img.orphan,
      },
      () => objects.removeImage(img),
    );
  }
  for (const v of usage.orphanVolumes) {
    if (pass.enough()) return;
    if (!wanted(v.orphan) || (v.created ?? 0) >= pass.protectFrom) continue;
    await pass.done(
      { what: "volume", name: v.name, bytes: v.size ?? 0, engine: true, orphan: v.orphan },
      () => objects.removeVolume(v.name),
    );
  }
}
