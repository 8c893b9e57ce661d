// Two-column text tables for help and `gantry functions`, aligned like the tables of git and Dagger.

/** The first line of a doc comment: what a table shows. */
export function firstLine(doc: string | undefined): string {
  return doc?.split("\n")[0]?.trim() ?? "";
}

/** Rows as `  left   right`, the left column padded to its widest cell. */
export function formatTable(rows: readonly (readonly [string, string])[], indent = "  "): string {
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows
    .map(([l, r]) => (r ? `${indent}${l.padEnd(width)}   ${r}` : `${indent}${l}`).trimEnd())
    .join("\n");
}

/** `1 image`, `2 images` (`suffix` for nouns like "process": `es`). */
export function plural(n: number, word: string, suffix = "s"): string {
  return `${n} ${word}${n === 1 ? "" : suffix}`;
}
