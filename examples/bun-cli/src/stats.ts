// Counting what a text holds: lines, words, characters, and the most frequent words.

export interface Stats {
  lines: number;
  words: number;
  chars: number;
  top: [string, number][];
}

/** Words are runs of letters, digits and apostrophes, compared without case. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

/** The counts of `text`, with its `topN` most frequent words (ties in alphabetical order). */
export function stats(text: string, topN = 3): Stats {
  const all = words(text);
  const counts = new Map<string, number>();
  for (const w of all) counts.set(w, (counts.get(w) ?? 0) + 1);
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, topN);
  const lines = text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  return { lines, words: all.length, chars: [...text].length, top };
}

/** One line per figure, as the CLI prints them. */
export function formatStats(s: Stats): string {
  const top = s.top.map(([w, n]) => `${w} (${n})`).join(", ");
  return `lines: ${s.lines}\nwords: ${s.words}\nchars: ${s.chars}\ntop: ${top || "-"}\n`;
}
