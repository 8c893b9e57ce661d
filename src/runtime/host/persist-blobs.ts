// A snapshot must outlive the run, so every blob it names has to be in the store, not only at a host source.
import type { ContentStore } from "../../store/content-store.js";
import type { Tree } from "../../store/tree.js";
import { createLimit } from "./limit.js";

/** Copying this much without a turn of the event loop is enough (64 files of up to 256 KiB would be 16 MiB). */
const YIELD_BYTES = 4 << 20;

/**
 * Copy into the store the blobs of `tree` it lacks, skipping digests `known` (an already persisted tree) names; small
 * files at once, the rest a few at a time.
 */
export async function persistNewBlobs(tree: Tree, known: Tree, store: ContentStore): Promise<void> {
  const have = new Set<string>();
  for (const e of Object.values(known.entries)) if (e.type === "file") have.add(e.digest);
  const limit = createLimit(16);
  const jobs: Promise<void>[] = [];
  let copied = 0;
  let bytes = 0;
  for (const e of Object.values(tree.entries)) {
    if (e.type !== "file" || have.has(e.digest)) continue;
    have.add(e.digest);
    if (store.persistSmallBlobSync(e.digest)) {
      // the event loop gets a turn now and then (output of running execs, a cancel)
      bytes += e.size;
      if (++copied % 64 === 0 || bytes >= YIELD_BYTES) {
        bytes = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      continue;
    }
    const job = limit(() => store.persistBlob(e.digest));
    // handled now: it may fail while this loop still waits for a turn; Promise.all below reports it
    job.catch(() => undefined);
    jobs.push(job);
  }
  await Promise.all(jobs);
}
