// `gitignore: true` on a Tree (Directory.filter, withDirectory) means what it means on a host directory.
import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ContentStore } from "../../src/store/content-store.js";
import { hashHostDirectory } from "../../src/store/host-tree.js";
import { applyGitignore } from "../../src/store/gitignore-tree.js";
import type { Tree } from "../../src/store/tree.js";
import { makeTempStore, removeTempStore } from "../helpers/temp-store.js";

let tmp: string;
let root: string;
let store: ContentStore;

beforeEach(async () => void ({ tmp, root, store } = await makeTempStore("gitignore-tree")));
afterEach(() => removeTempStore(tmp));

async function layout(files: Record<string, string>): Promise<void> {
  for (const [rel, contents] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), contents);
  }
}

const read = async (e: { digest: string }) => (await store.readBlob(e.digest)).toString("utf8");
const keys = (t: Tree) => Object.keys(t.entries).sort();

describe("applyGitignore", () => {
  it("keeps what the host walk with gitignore keeps: nested files win, ignored dirs hide their .gitignore, no .git", async () => {
    // no repository above `root` (its folder is a fresh temp dir), so the host walk reads only the files inside
    await layout({
      ".git/HEAD": "ref: refs/heads/main\n",
      ".gitignore": "*.log\nbuild/\n/secret.txt\nlogs/*\n!logs/.keep\n",
      "logs/today.txt": "t",
      "logs/.keep": "",
      "app.log": "l",
      "secret.txt": "s",
      "build/out.js": "o",
      "build/.gitignore": "!out.js\n",
      "pkg/.gitignore": "!keep.log\ngen/\n",
      "pkg/keep.log": "k",
      "pkg/drop.log": "d",
      "pkg/secret.txt": "not anchored here",
      "pkg/gen/x.js": "x",
      "pkg/src/main.ts": "m",
      "pkg/sub/.git": "gitdir: elsewhere\n",
    });
    const walked = await hashHostDirectory(root, { gitignore: true }, store);
    const full = await hashHostDirectory(root, {}, store);
    const filtered = await applyGitignore(full, { read });
    expect(keys(filtered)).toEqual(keys(walked));
    expect(keys(filtered)).toEqual([
      ".gitignore",
      "logs",
      "logs/.keep",
      "pkg",
      "pkg/.gitignore",
      "pkg/keep.log",
      "pkg/secret.txt",
      "pkg/src",
      "pkg/src/main.ts",
      "pkg/sub",
    ]);
  });

  it("treats a parent the tree holds no entry for as a directory, and leaves a tree without .gitignore alone", async () => {
    const digest = await store.putBytes("docs/\n");
    const file = { type: "file" as const, mode: 0o644, size: 6 };
    const tree: Tree = {
      entries: {
        ".gitignore": { ...file, digest },
        "docs/readme.md": { ...file, digest },
        "src/a.ts": { ...file, digest },
      },
    };
    expect(keys(await applyGitignore(tree, { read }))).toEqual([".gitignore", "src/a.ts"]);
    const plain: Tree = { entries: { "a.ts": { ...file, digest } } };
    expect(await applyGitignore(plain, { read })).toBe(plain);
  });

  it("warns about a malformed line by its path in the tree, and still filters", async () => {
    const warnings: string[] = [];
    const digest = await store.putBytes("*.tmp\nx[\n");
    const tree: Tree = {
      entries: {
        pkg: { type: "dir", mode: 0o755 },
        "pkg/.gitignore": { type: "file", mode: 0o644, digest, size: 9 },
        "pkg/a.tmp": { type: "file", mode: 0o644, digest, size: 9 },
      },
    };
    const out = await applyGitignore(tree, { read, onWarning: (m) => warnings.push(m) });
    expect(keys(out)).toEqual(["pkg", "pkg/.gitignore"]);
    expect(warnings).toEqual([
      expect.stringMatching(/^pkg\/\.gitignore:2: ignore pattern "x\[" is malformed/),
    ]);
  });
});
