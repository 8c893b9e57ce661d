import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import type { ContentStore } from "../../src/store/content-store.js";
import { hashHostDirectory } from "../../src/store/host-tree.js";
import { treeDigest } from "../../src/store/tree.js";
import { sha256 } from "../../src/store/digest.js";
import { NotFoundError } from "../../src/errors.js";
import { makeTempStore, removeTempStore } from "../helpers/temp-store.js";

let tmp: string;
let root: string;
let store: ContentStore;

beforeEach(async () => void ({ tmp, root, store } = await makeTempStore("host-tree")));

afterEach(() => removeTempStore(tmp));

// Writes files (string contents) and empty directories (null) under `base`.
async function layout(base: string, files: Record<string, string | null>): Promise<void> {
  for (const [rel, contents] of Object.entries(files)) {
    const abs = path.join(base, rel);
    if (contents === null) await mkdir(abs, { recursive: true });
    else {
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, contents);
    }
  }
}

const paths = async (opts: Parameters<typeof hashHostDirectory>[1]) =>
  Object.keys((await hashHostDirectory(root, opts, store)).entries);

describe("hashHostDirectory", () => {
  it("records dirs, files (mode, size, digest) and symlinks, and registers blob sources", async () => {
    await layout(root, { "a.txt": "hello", "bin/run.sh": "#!/bin/sh\n", empty: null });
    await chmod(path.join(root, "bin/run.sh"), 0o755);
    await chmod(path.join(root, "a.txt"), 0o640);
    await chmod(path.join(root, "bin"), 0o755);
    await chmod(path.join(root, "empty"), 0o700);
    await symlink("../a.txt", path.join(root, "bin/link"));
    const tree = await hashHostDirectory(root, {}, store);
    expect(tree.entries).toEqual({
      "a.txt": { type: "file", mode: 0o640, size: 5, digest: sha256("hello") },
      bin: { type: "dir", mode: 0o755 },
      "bin/link": { type: "symlink", target: "../a.txt" },
      "bin/run.sh": { type: "file", mode: 0o755, size: 10, digest: sha256("#!/bin/sh\n") },
      empty: { type: "dir", mode: 0o700 },
    });
    expect((await store.readBlob(sha256("hello"))).toString()).toBe("hello");
  });

  it("gives the same digest for the same contents elsewhere (no times, owners or root path)", async () => {
    await layout(root, { "x/y.txt": "y" });
    const other = path.join(tmp, "other");
    await layout(other, { "x/y.txt": "y" });
    const a = await hashHostDirectory(root, {}, store);
    const b = await hashHostDirectory(other, {}, store);
    expect(treeDigest(a)).toBe(treeDigest(b));
  });

  it("applies include, exclude and ! re-includes, keeping parents of kept paths", async () => {
    await layout(root, {
      "src/a.ts": "a",
      "src/a.test.ts": "t",
      "docs/guide.md": "g",
      "docs/keep.txt": "k",
      "node_modules/x/index.js": "x",
      "README.md": "r",
      empty: null,
    });
    expect(
      await paths({ exclude: ["node_modules", "docs", "!docs/keep.txt", "**/*.test.ts"] }),
    ).toEqual(["README.md", "docs", "docs/keep.txt", "empty", "src", "src/a.ts"]);
    expect(await paths({ include: ["**/*.ts"], exclude: ["**/*.test.ts"] })).toEqual([
      "src",
      "src/a.ts",
    ]);
    expect(await paths({ include: ["docs"] })).toEqual(["docs", "docs/guide.md", "docs/keep.txt"]);
  });

  it("honours nested .gitignore files with git precedence, and skips .git", async () => {
    await layout(root, {
      ".git/HEAD": "ref: refs/heads/main\n",
      ".gitignore": "*.log\nbuild/\n/secret.txt\nlogs/*\n!logs/.keep\n",
      "logs/today.txt": "t",
      "logs/.keep": "",
      "app.log": "l",
      "secret.txt": "s",
      "build/out.js": "o",
      "pkg/.gitignore": "!keep.log\ngen/\n",
      "pkg/keep.log": "k",
      "pkg/drop.log": "d",
      "pkg/secret.txt": "not anchored here",
      "pkg/gen/x.js": "x",
      "pkg/src/main.ts": "m",
    });
    expect(await paths({ gitignore: true })).toEqual([
      ".gitignore",
      "logs",
      "logs/.keep",
      "pkg",
      "pkg/.gitignore",
      "pkg/keep.log",
      "pkg/secret.txt",
      "pkg/src",
      "pkg/src/main.ts",
    ]);
    // Without the option every file is there, .git included.
    expect(await paths({})).toContain(".git/HEAD");
  });

  it("applies the .gitignore files above the root, up to the repository top", async () => {
    await layout(tmp, { ".git/HEAD": "x", ".gitignore": "*.tmp\nsrc/dist/\n" });
    await layout(root, { "a.ts": "a", "b.tmp": "b", "dist/x.js": "x" });
    expect(await paths({ gitignore: true })).toEqual(["a.ts"]);
  });

  it("reports malformed .gitignore lines (above and inside the root) by file:line, and still walks", async () => {
    await layout(tmp, { ".git/HEAD": "x", ".gitignore": "*.tmp\n[oops\n" });
    await layout(root, { "a.ts": "a", "b.tmp": "b", "pkg/.gitignore": "# [comment\n{a,b\nx[\n" });
    const warnings: string[] = [];
    const tree = await hashHostDirectory(
      root,
      { gitignore: true, onWarning: (m) => warnings.push(m) },
      store,
    );
    expect(Object.keys(tree.entries).sort()).toEqual(["a.ts", "pkg", "pkg/.gitignore"]);
    expect(warnings).toEqual([
      `${path.join(tmp, ".gitignore")}:2: ignore pattern "[oops" is malformed (an unclosed "["), so it ignores nothing: fix it, or escape the character with "\\" to mean it literally`,
      `${path.join(root, "pkg/.gitignore")}:3: ignore pattern "x[" is malformed (an unclosed "["), so it ignores nothing: fix it, or escape the character with "\\" to mean it literally`,
    ]);
  });

  it("keeps files named like Object.prototype members", async () => {
    await layout(root, { ["__proto__"]: "p", constructor: "c" }); // computed: an own key, not the prototype
    const tree = await hashHostDirectory(root, {}, store);
    expect(Object.keys(tree.entries).sort()).toEqual(["__proto__", "constructor"]);
    expect(tree.entries["__proto__"]).toMatchObject({ type: "file", digest: sha256("p") });
  });

  it("skips sockets", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(root, "s.sock"), resolve));
    try {
      await layout(root, { "f.txt": "f" });
      expect(await paths({})).toEqual(["f.txt"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("throws NotFoundError naming a missing root, with a hint", async () => {
    const missing = path.join(tmp, "nope");
    const err = await hashHostDirectory(missing, {}, store).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toContain(missing);
    expect((err as NotFoundError).hint).toBe(
      "check the path; relative paths are resolved against the directory gantry runs in",
    );
    await layout(root, { "f.txt": "f" });
    await expect(hashHostDirectory(path.join(root, "f.txt"), {}, store)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("hashes big files by streaming", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 3, 7);
    await writeFile(path.join(root, "big.bin"), big, { mode: 0o644 });
    await chmod(path.join(root, "big.bin"), 0o644);
    const tree = await hashHostDirectory(root, {}, store);
    expect(tree.entries["big.bin"]).toEqual({
      type: "file",
      mode: 0o644,
      size: big.length,
      digest: sha256(big),
    });
  });
});
