// What prune and gc removed (or would), counted by kind, and listed one per line for a dry run.
import { formatBytes, type Removal } from "../../engine/api/index.js";
import type { CliIo } from "../cli-io.js";
import { formatWhen } from "./cache-format.js";

const NAMES: Record<Removal["what"], string> = {
  record: "records",
  tree: "trees",
  blob: "blobs",
  tmp: "temporary files",
  image: "images",
  volume: "cache volumes",
  file: "other files (bundles, signatures, host caches, run records)",
};

/** `removed: 12 records (40 kB), 3 images (120 MB)…`; with `list`, every item first. */
export function printRemovals(
  io: CliIo,
  removed: readonly Removal[],
  opts: { dryRun: boolean; list: boolean },
): void {
  if (opts.list)
    for (const r of removed)
      io.stdout.write(
        `  ${r.what.padEnd(6)} ${r.name}  ${formatBytes(r.bytes)}` +
          (r.lastUsed !== undefined ? `  last used ${formatWhen(r.lastUsed)}` : "") +
          "\n",
      );
  const by = new Map<string, { n: number; bytes: number }>();
  for (const r of removed) {
    const e = by.get(r.what) ?? { n: 0, bytes: 0 };
    e.n++;
    e.bytes += r.bytes;
    by.set(r.what, e);
  }
  const parts = [...by].map(
    ([w, e]) => `${e.n} ${NAMES[w as Removal["what"]]} (${formatBytes(e.bytes)})`,
  );
  io.stdout.write(
    `${opts.dryRun ? "would remove" : "removed"}: ${parts.length ? parts.join(", ") : "nothing"}\n`,
  );
}
