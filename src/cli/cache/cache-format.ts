// Tables and times for the cache commands: aligned columns, sizes on the right, times a person can place.

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned except the last. */
export function table(head: string[], rows: string[][], indent = "  "): string {
  const all = [head, ...rows];
  const widths = head.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  return all
    .map((r) =>
      (
        indent +
        r
          .map((cell, c) =>
            c === 0 || c === r.length - 1
              ? cell.padEnd(widths[c] ?? 0)
              : cell.padStart(widths[c] ?? 0),
          )
          .join("   ")
      ).trimEnd(),
    )
    .join("\n");
}

/** `2026-12-05 23:40 (3 min ago)`; `-` for never. */
export function formatWhen(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined || !Number.isFinite(ms)) return "-";
  const at = new Date(ms).toISOString().slice(0, 16).replace("T", " ");
  return `${at} (${ago(now - ms)})`;
}

// `just now`, `3 min ago`, `5 h ago`, `12 days ago`.
function ago(d: number): string {
  if (d < 60_000) return "just now";
  if (d < 3600_000) return `${Math.floor(d / 60_000)} min ago`;
  if (d < 86_400_000) return `${Math.floor(d / 3600_000)} h ago`;
  return `${Math.floor(d / 86_400_000)} days ago`;
}

/** `7d`, `12h`, `30m`, `90s` as milliseconds; undefined when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000, w: 604_800_000 }[m[2] as "s"];
  return Number(m[1]) * unit;
}
