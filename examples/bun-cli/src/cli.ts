#!/usr/bin/env bun
// wordstat: counts lines, words and characters of files (or stdin) and names the most frequent words.
import { formatStats, stats } from "./stats.ts";

const USAGE = "usage: wordstat [--top N] [FILE...]\n";

/** Parse the arguments, read the inputs, print the figures; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let top = 3;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--top") {
      top = Number(argv[++i]);
      if (!Number.isInteger(top) || top < 0) {
        process.stderr.write(`wordstat: --top needs a whole number\n${USAGE}`);
        return 2;
      }
    } else if (a === "-h" || a === "--help") {
      process.stdout.write(USAGE);
      return 0;
    } else files.push(a);
  }
  const texts =
    files.length === 0
      ? [await Bun.stdin.text()]
      : await Promise.all(files.map((f) => Bun.file(f).text()));
  process.stdout.write(formatStats(stats(texts.join(""), top)));
  return 0;
}

if (import.meta.main) process.exit(await main(Bun.argv.slice(2)));
