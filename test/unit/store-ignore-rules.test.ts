import { describe, it, expect } from "vitest";
import { makePathFilter, malformedPattern, patternWarnings } from "../../src/store/ignore-rules.js";
import { globTree } from "../../src/store/tree-ops.js";
import { selectChecks, type CheckArgs } from "../../src/cli/check/check-args.js";

const NO_ARGS: CheckArgs = { patterns: [], skip: [], failfast: false, list: false, help: false };

describe("makePathFilter", () => {
  it("keeps everything without patterns", () => {
    const f = makePathFilter({});
    expect(f.includes("a/b/c.txt", false)).toBe(true);
    expect(f.mayContain("a")).toBe(true);
  });

  it("excludes like .dockerignore: * stays in one segment, ** spans any number", () => {
    const f = makePathFilter({ exclude: ["*.log", "**/tmp", "docs/*.md"] });
    expect(f.includes("a.log", false)).toBe(false);
    expect(f.includes("sub/a.log", false)).toBe(true); // "*" does not cross "/"
    expect(f.includes("tmp", true)).toBe(false);
    expect(f.includes("x/y/tmp", true)).toBe(false);
    expect(f.includes("docs/a.md", false)).toBe(false);
    expect(f.includes("docs/deep/a.md", false)).toBe(true);
    expect(f.includes(".hidden", false)).toBe(true);
    expect(makePathFilter({ exclude: ["*"] }).includes(".env", false)).toBe(false); // dot files match
  });

  it("excludes everything below an excluded directory and prunes the walk there", () => {
    const f = makePathFilter({ exclude: ["node_modules"] });
    expect(f.includes("node_modules", true)).toBe(false);
    expect(f.includes("node_modules/a/b.js", false)).toBe(false);
    expect(f.mayContain("node_modules")).toBe(false);
    expect(f.mayContain("src")).toBe(true);
  });

  it("cleans patterns: leading / and ./ mean the root", () => {
    const f = makePathFilter({ exclude: ["/build", "./dist/"] });
    expect(f.includes("build/x", false)).toBe(false);
    expect(f.includes("dist", true)).toBe(false);
    expect(f.includes("sub/build", true)).toBe(true);
  });

  it("a trailing slash matches directories only", () => {
    const f = makePathFilter({ exclude: ["out/"] });
    expect(f.includes("out", true)).toBe(false);
    expect(f.includes("out/a", false)).toBe(false);
    expect(f.includes("out", false)).toBe(true);
  });

  it("!pattern re-includes, the last matching pattern wins", () => {
    const f = makePathFilter({ exclude: ["*.md", "!README.md", "docs", "!docs/keep.txt"] });
    expect(f.includes("a.md", false)).toBe(false);
    expect(f.includes("README.md", false)).toBe(true);
    expect(f.includes("docs/other.txt", false)).toBe(false);
    expect(f.includes("docs/keep.txt", false)).toBe(true);
    // The walker must enter docs/ because a later "!" can re-include something inside.
    expect(f.mayContain("docs")).toBe(true);
    expect(f.includes("docs", true)).toBe(false);
    expect(makePathFilter({ exclude: ["!a", "a"] }).mayContain("a")).toBe(false);
    expect(makePathFilter({ exclude: ["docs", "!other/x"] }).mayContain("docs")).toBe(false);
  });

  it("include selects files and whole directories; other directories are only walked", () => {
    const f = makePathFilter({ include: ["src", "package.json", "**/*.ts"] });
    expect(f.includes("src", true)).toBe(true);
    expect(f.includes("src/deep/x.bin", false)).toBe(true);
    expect(f.includes("package.json", false)).toBe(true);
    expect(f.includes("test/a.ts", false)).toBe(true);
    expect(f.includes("test/a.js", false)).toBe(false);
    expect(f.includes("test", true)).toBe(false);
    expect(f.mayContain("test")).toBe(true); // **/*.ts may match below

    const narrow = makePathFilter({ include: ["src/app/**/*.ts"] });
    expect(narrow.mayContain("src")).toBe(true);
    expect(narrow.mayContain("src/app")).toBe(true);
    expect(narrow.mayContain("src/app/x/y")).toBe(true);
    expect(narrow.mayContain("src/lib")).toBe(false);
    expect(narrow.mayContain("docs")).toBe(false);
  });

  it("combines include and exclude: both must agree", () => {
    const f = makePathFilter({ include: ["src"], exclude: ["src/**/*.test.ts"] });
    expect(f.includes("src/a.ts", false)).toBe(true);
    expect(f.includes("src/x/a.test.ts", false)).toBe(false);
    expect(f.includes("README.md", false)).toBe(false);
    expect(f.mayContain("docs")).toBe(false);
  });

  it("is conservative when a pattern cannot be split by segment", () => {
    const f = makePathFilter({ include: ["{a/b,c}/x"] });
    expect(f.includes("a/b/x", false)).toBe(true);
    expect(f.mayContain("zzz")).toBe(true);
  });
});

describe("malformedPattern and patternWarnings", () => {
  it("finds patterns that cannot mean what they say", () => {
    expect(malformedPattern("[")).toBe('an unclosed "["');
    expect(malformedPattern("src/[ab")).toBe('an unclosed "["');
    expect(malformedPattern("!{a,b")).toBe('an unclosed "{"');
    expect(malformedPattern("**/[z-a]")).toBe("not a valid pattern");
  });

  it("leaves well-formed and escaped patterns alone", () => {
    for (const p of [
      "*.log",
      "{a,b}",
      "[ab]",
      "[]]",
      "[!]]",
      "\\[",
      "a}",
      "!node_modules",
      "./src/",
    ])
      expect(malformedPattern(p), p).toBeUndefined();
  });

  it("knows .gitignore has no braces", () => {
    expect(malformedPattern("{a,b", "gitignore")).toBeUndefined();
    expect(malformedPattern("[oops", "gitignore")).toBe('an unclosed "["');
  });

  it("names the pattern and where it was written, one warning each", () => {
    expect(patternWarnings(["node_modules", "[", "{a,b"], ".dockerignore")).toEqual([
      '.dockerignore: ignore pattern "[" is malformed (an unclosed "["), so it ignores nothing: fix it, or escape the character with "\\" to mean it literally',
      '.dockerignore: ignore pattern "{a,b" is malformed (an unclosed "{"), so it ignores nothing: fix it, or escape the character with "\\" to mean it literally',
    ]);
  });
});

// picomatch 4.0.7 loops forever on a run of three or more backslashes reaching a pattern's end (found by the fuzz
// test of ignore patterns): every user pattern goes through store/glob.ts, which refuses such a run. Each of these
// calls hung before; a hang here fails by the test's timeout.
describe("a run of backslashes picomatch cannot parse", () => {
  const patterns = ["**\\\\\\\\", "*\\\\\\\\", "a/\\\\\\"];
  it("is malformed, named in the warning, and matches nothing instead of hanging", () => {
    for (const p of patterns) {
      expect(malformedPattern(p), p).toMatch(/three or more "\\" in a row/);
      expect(patternWarnings([p], "exclude")[0]).toContain(JSON.stringify(p));
      const onlyIt = makePathFilter({ include: [p] });
      expect(onlyIt.includes("a/b", false)).toBe(false);
      const allBut = makePathFilter({ exclude: [p] });
      expect(allBut.includes("a/b", false)).toBe(true);
    }
  }, 10_000);

  it("selects nothing in Directory.glob and no check by that name", () => {
    const tree = { entries: { a: { type: "dir" as const, mode: 0o755 } } };
    for (const p of patterns) {
      expect(globTree(tree, p)).toEqual([]);
      expect(() => selectChecks(["lint", "test"], { ...NO_ARGS, patterns: [p] })).toThrow(
        /no check matches/,
      );
    }
  }, 10_000);
});
