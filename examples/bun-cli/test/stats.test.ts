import { describe, expect, test } from "bun:test";
import { formatStats, stats, words } from "../src/stats.ts";

describe("words", () => {
  test("splits on anything but letters, digits and apostrophes, without case", () => {
    expect(words("It's a Test, a TEST!")).toEqual(["it's", "a", "test", "a", "test"]);
  });

  test("finds none in blank text", () => {
    expect(words("  \n\t ")).toEqual([]);
  });
});

describe("stats", () => {
  test("counts lines, words and characters", () => {
    const s = stats("one two\nthree\n");
    expect([s.lines, s.words, s.chars]).toEqual([2, 3, 14]);
  });

  test("counts a last line without a newline", () => {
    expect(stats("a\nb").lines).toBe(2);
  });

  test("ranks the most frequent words, ties alphabetically", () => {
    expect(stats("b a c b a b", 2).top).toEqual([
      ["b", 3],
      ["a", 2],
    ]);
  });
});

describe("formatStats", () => {
  test("prints one figure per line", () => {
    expect(formatStats(stats("hi hi there"))).toBe(
      "lines: 1\nwords: 3\nchars: 11\ntop: hi (2), there (1)\n",
    );
  });
});
