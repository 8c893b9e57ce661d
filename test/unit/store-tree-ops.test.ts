import { describe, it, expect } from "vitest";
import {
  diffTree,
  filterTree,
  getEntry,
  globTree,
  listEntries,
  subTree,
  withEntryAt,
  withTreeAt,
  withoutPath,
} from "../../src/store/tree-ops.js";
import type { FileEntry, Tree, TreeEntry } from "../../src/store/tree.js";
import { NotFoundError } from "../../src/errors.js";

const file = (digest: string, mode = 0o644): FileEntry => ({ type: "file", mode, digest, size: 1 });
const dir = (mode = 0o755): TreeEntry => ({ type: "dir", mode });
const link = (target: string): TreeEntry => ({ type: "symlink", target });

// A frozen fixture proves the ops never mutate their inputs (a write would throw in strict mode).
function tree(entries: Record<string, TreeEntry>): Tree {
  return Object.freeze({ entries: Object.freeze({ ...entries }) });
}

const base = tree({
  "README.md": file("r"),
  src: dir(),
  "src/a.ts": file("a"),
  "src/lib": dir(0o700),
  "src/lib/b.ts": file("b"),
  "src/link": link("a.ts"),
  empty: dir(),
});

const sortedKeys = (t: Tree) => Object.keys(t.entries).sort();

describe("tree ops", () => {
  it("getEntry normalises paths and answers the root as a directory", () => {
    expect(getEntry(base, "./src//a.ts")).toEqual(file("a"));
    expect(getEntry(base, "/")).toEqual(dir());
    expect(getEntry(base, "nope")).toBeUndefined();
  });

  it("subTree re-roots a directory and rejects missing paths and files", () => {
    expect(subTree(base, "src").entries).toEqual({
      "a.ts": file("a"),
      lib: dir(0o700),
      "lib/b.ts": file("b"),
      link: link("a.ts"),
    });
    expect(subTree(base, "")).toBe(base);
    expect(() => subTree(base, "nope")).toThrow(NotFoundError);
    expect(() => subTree(base, "README.md")).toThrow(/is a file, not a directory/);
  });

  it("listEntries gives immediate children, sorted, without trailing slashes", () => {
    expect(listEntries(base, "")).toEqual(["README.md", "empty", "src"]);
    expect(listEntries(base, "src/")).toEqual(["a.ts", "lib", "link"]);
    expect(listEntries(base, "empty")).toEqual([]);
    expect(() => listEntries(base, "missing")).toThrow(NotFoundError);
  });

  it("withTreeAt merges at a path, creating parents 0755 and replacing files", () => {
    const sub = tree({
      "a.ts": file("A"),
      "new.ts": file("n"),
      deep: dir(0o750),
      "deep/x": file("x"),
    });
    const out = withTreeAt(base, "src", sub);
    expect(out.entries["src/a.ts"]).toEqual(file("A"));
    expect(out.entries["src/lib/b.ts"]).toEqual(file("b")); // untouched siblings stay
    expect(out.entries["src/deep"]).toEqual(dir(0o750));
    expect(sortedKeys(withTreeAt(base, "x/y", sub))).toContain("x/y/deep/x");
    expect(withTreeAt(base, "x/y", sub).entries["x"]).toEqual(dir(0o755));
    expect(base.entries["src/a.ts"]).toEqual(file("a"));
  });

  it("withTreeAt replaces a file where a directory is needed, and a directory where a file lands", () => {
    const intoFile = withTreeAt(base, "README.md/docs", tree({ "x.md": file("x") }));
    expect(intoFile.entries["README.md"]).toEqual(dir(0o755));
    expect(intoFile.entries["README.md/docs/x.md"]).toEqual(file("x"));
    const fileOverDir = withTreeAt(base, "", tree({ src: file("s") }));
    expect(sortedKeys(fileOverDir)).toEqual(["README.md", "empty", "src"]);
    expect(fileOverDir.entries["src"]).toEqual(file("s"));
  });

  it("withTreeAt applies include/exclude to the incoming tree", () => {
    const out = withTreeAt(tree({}), "out", base, {
      include: ["src/**/*.ts"],
      exclude: ["src/lib"],
    });
    expect(sortedKeys(out)).toEqual(["out", "out/src", "out/src/a.ts"]);
  });

  it("withEntryAt puts one file or symlink, creating parents", () => {
    const out = withEntryAt(base, "/a/b/c.txt", file("c", 0o600));
    expect(sortedKeys(out).filter((k) => k.startsWith("a"))).toEqual(["a", "a/b", "a/b/c.txt"]);
    expect(out.entries["a/b/c.txt"]).toEqual(file("c", 0o600));
    expect(withEntryAt(base, "src/lib", link("/tmp")).entries["src/lib/b.ts"]).toBeUndefined();
    expect(() => withEntryAt(base, "", file("x"))).toThrow(TypeError);
  });

  it("withoutPath removes a path and everything below it; a missing path is fine", () => {
    expect(sortedKeys(withoutPath(base, "src"))).toEqual(["README.md", "empty"]);
    expect(withoutPath(base, "nope")).toBe(base);
    expect(sortedKeys(withoutPath(base, "src/lib/"))).not.toContain("src/lib/b.ts");
  });

  it("filterTree keeps selected paths and their parents", () => {
    expect(sortedKeys(filterTree(base, { include: ["**/b.ts"] }))).toEqual([
      "src",
      "src/lib",
      "src/lib/b.ts",
    ]);
    expect(sortedKeys(filterTree(base, { exclude: ["src", "!src/lib/b.ts"] }))).toEqual([
      "README.md",
      "empty",
      "src",
      "src/lib",
      "src/lib/b.ts",
    ]);
    expect(filterTree(base, {}).entries).toEqual(base.entries);
  });

  it("diffTree keeps what upper adds or changes, with parents, and ignores deletions", () => {
    let upper = withEntryAt(base, "src/lib/b.ts", file("B"));
    upper = withEntryAt(upper, "new/n.txt", file("n"));
    upper = withoutPath(upper, "README.md");
    upper = withEntryAt(upper, "src/link", link("lib"));
    upper = withTreeAt(upper, "made", tree({}));
    const d = diffTree(base, upper);
    expect(sortedKeys(d)).toEqual([
      "made",
      "new",
      "new/n.txt",
      "src",
      "src/lib",
      "src/lib/b.ts",
      "src/link",
    ]);
    expect(d.entries["src/lib"]).toEqual(dir(0o700)); // parents come from upper as they are
    expect(diffTree(base, base).entries).toEqual({});
    const chmodded = withEntryAt(base, "src/a.ts", file("a", 0o755));
    expect(sortedKeys(diffTree(base, chmodded))).toEqual(["src", "src/a.ts"]);
  });

  it("treats names like __proto__ and constructor as ordinary paths", () => {
    expect(getEntry(base, "constructor")).toBeUndefined();
    const t = withEntryAt(withEntryAt(base, "__proto__", file("p")), "src/constructor", file("c"));
    expect(getEntry(t, "__proto__")).toEqual(file("p"));
    expect(listEntries(t, "src")).toContain("constructor");
    expect(sortedKeys(diffTree(base, t))).toEqual(["__proto__", "src", "src/constructor"]);
    expect(sortedKeys(withoutPath(t, "__proto__"))).not.toContain("__proto__");
  });

  it("globTree matches paths with picomatch, dot files included, sorted", () => {
    const t = withEntryAt(base, ".env", file("e"));
    expect(globTree(t, "**/*.ts")).toEqual(["src/a.ts", "src/lib/b.ts"]);
    expect(globTree(t, "*")).toEqual([".env", "README.md", "empty", "src"]);
    expect(globTree(t, "src/*")).toEqual(["src/a.ts", "src/lib", "src/link"]);
  });
});
