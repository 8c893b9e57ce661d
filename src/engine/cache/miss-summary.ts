// Wording of cache misses, shared by the engine (one line per step) and the CLI (`--explain`, `cache explain`).
import type { MissReason } from "../events.js";
import type { Tree } from "../../store/tree.js";

/** One reason in words: `withDirectory /src changed (2 files: ~a.ts, +b.ts)`, `base image x changed (content id a → b)`. */
export function describeReason(r: MissReason, maxFiles = 3): string {
  switch (r.change) {
    case "first-run":
      return "no earlier result for this step";
    case "pruned":
      return "its cached result was removed from the engine (pruned)";
    case "not-kept":
      return "its filesystem is read now, and was not kept when it last ran (nothing read it then)";
    case "evicted":
      return r.detail?.startsWith("cache gc")
        ? `its cached result was evicted by ${r.detail} (size limit); raise the limit (GANTRY_CACHE_LIMIT) to keep more`
        : `its cached result was removed by ${r.detail ?? "cache prune"}`;
    case "unknown":
      return "inputs are unchanged but the earlier result is gone";
    case "depends":
      return `depends on ${r.input}, which would run`;
    case "new":
      return `${r.input} is new`;
    case "removed":
      return `${r.input} was removed`;
    default: {
      const parts: string[] = [];
      if (r.files && r.files.length > 0) {
        const n = r.fileCount ?? r.files.length;
        const shown = r.files.slice(0, maxFiles).join(", ");
        parts.push(`${n} file${n === 1 ? "" : "s"}: ${shown}${n > maxFiles ? ", …" : ""}`);
      }
      if (r.detail) parts.push(r.detail);
      return `${r.input} changed${parts.length ? ` (${parts.join("; ")})` : ""}`;
    }
  }
}

/** The one-line miss of a step: its first four reasons. */
export function summarizeMiss(why: readonly MissReason[]): string {
  const shown = why.slice(0, 4).map((r) => describeReason(r));
  return shown.join("; ") + (why.length > 4 ? `; and ${why.length - 4} more` : "");
}

/** Files that differ between two trees: `+added`, `~changed`, `-removed`, sorted by path. */
export function changedPaths(a: Tree, b: Tree): string[] {
  const out: string[] = [];
  for (const [p, e] of Object.entries(b.entries)) {
    const o = a.entries[p];
    if (e.type === "dir" && o?.type === "dir") continue;
    if (!o) out.push(`+${p}`);
    else if (JSON.stringify(o) !== JSON.stringify(e)) out.push(`~${p}`);
  }
  for (const p of Object.keys(a.entries))
    if (!(p in b.entries) && a.entries[p]?.type !== "dir") out.push(`-${p}`);
  return out.sort((x, y) => x.slice(1).localeCompare(y.slice(1)));
}
