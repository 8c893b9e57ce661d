import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ContentStore } from "../../src/store/content-store.js";
import { hashHostDirectory } from "../../src/store/host-tree.js";
import { treeDigest, type FileEntry } from "../../src/store/tree.js";
import { sha256 } from "../../src/store/digest.js";

const DIRS = 100;
const FILES_PER_DIR = 100;
let tmp: string;
let root: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "gantry-10k-"));
  root = path.join(tmp, "src");
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(path.join(root, `d${d}`), { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++)
      writeFileSync(path.join(root, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`);
  }
  await sleep(150); // past the stat cache's racy margin, so the cold hash caches every file
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// Timing is printed, not asserted: CI machines vary; the contract asserted is that the result is identical.
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  return [result, performance.now() - t0];
}

describe("hashHostDirectory on 10,000 files", () => {
  it("re-hashes a warm tree from the stat cache, with the same result", async () => {
    const storeRoot = path.join(tmp, "store");
    const cold = new ContentStore(storeRoot);
    await cold.init();
    const [first, coldMs] = await timed(() => hashHostDirectory(root, {}, cold));
    expect(Object.keys(first.entries)).toHaveLength(DIRS + DIRS * FILES_PER_DIR);
    expect((first.entries["d7/f42.txt"] as FileEntry).digest).toBe(sha256("file 7/42\n"));

    // A new store object over the same directory: the cache persists across runs, not just in memory.
    const warm = new ContentStore(storeRoot);
    const runs: number[] = [];
    let again = first;
    for (let i = 0; i < 3; i++) {
      const [tree, ms] = await timed(() => hashHostDirectory(root, {}, warm));
      again = tree;
      runs.push(ms);
    }
    expect(treeDigest(again)).toBe(treeDigest(first));

    await appendFile(path.join(root, "d99/f99.txt"), "edited");
    const [edited, editedMs] = await timed(() => hashHostDirectory(root, {}, warm));
    expect((edited.entries["d99/f99.txt"] as FileEntry).digest).toBe(sha256("file 99/99\nedited"));

    const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(
      `10k files: cold ${fmt(coldMs)}, warm ${runs.map(fmt).join(" / ")}, one file edited ${fmt(editedMs)}`,
    );
  });
});
