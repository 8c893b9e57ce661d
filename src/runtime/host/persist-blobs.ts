// A snapshot must outlive the run, so every blob it names has to be in the store, not only at a host source.
import type { ContentStore } from "../../store/content-store.js";
import type { Tree } from "../../store/tree.js";
import { createLimit } from "./limit.js";

/** Copy into the store the blobs of `tree` it lacks, skipping digests `known` (an already persisted tree) names. */
export async function persistNewBlobs(tree: Tree, known: Tree, store: ContentStore): Promise<void> {
  const have = new Set<string>();
  for (const e of Object.values(known.entries)) if (e.type === "file") have.add(e.digest);
  const limit = createLimit(16);
  const jobs: Promise<void>[] = [];
  for (const e of Object.values(tree.entries)) {
    if (e.type !== "file" || have.has(e.digest)) continue;
    have.add(e.digest);
    jobs.push(limit(() => store.persistBlob(e.digest)));
  }
  await Promise.all(jobs);
}
