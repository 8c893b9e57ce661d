// Parallel execs over one source persist the same host files at once: each file is copied into the store once, the
// size a run adds counts it once, and a file changed since it was hashed is still refused.
import { readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError, UsageError } from "../../src/errors.js";
import type { ContentStore } from "../../src/store/content-store.js";
import { hashHostDirectory } from "../../src/store/host-tree.js";
import { EMPTY_TREE } from "../../src/store/tree.js";
import { persistNewBlobs } from "../../src/runtime/host/persist-blobs.js";
import { makeTempStore, removeTempStore } from "../helpers/temp-store.js";

let tmp: string;
let root: string;
let store: ContentStore;

beforeEach(async () => void ({ tmp, root, store } = await makeTempStore("persist")));
// Files written this instant are copied into the store while hashing (they may still be being written); settled
// ones are only registered, and copied when a snapshot needs them: the case under test.
async function hashSettled() {
  await new Promise((r) => setTimeout(r, 250));
  const tree = await hashHostDirectory(root, {}, store);
  for (const e of Object.values(tree.entries))
    if (e.type === "file") expect(await store.hasBlob(e.digest)).toBe(false);
  return tree;
}

afterEach(() => removeTempStore(tmp));

describe("persisting host files into the store", () => {
  it("copies a file asked for by three callers at once a single time", async () => {
    const body = "x".repeat(10_000);
    for (let i = 0; i < 20; i++) await writeFile(path.join(root, `f${i}.txt`), `${i}:${body}`);
    const tree = await hashSettled();
    const files = Object.values(tree.entries).filter((e) => e.type === "file");
    expect(files).toHaveLength(20);
    const before = store.bytesAdded; // the stat cache's record
    await Promise.all([store.persistTree(tree), store.persistTree(tree), store.persistTree(tree)]);
    const sizes = files.reduce((n, e) => n + (e.type === "file" ? e.size : 0), 0);
    // three racing copies of each file counted its bytes three times (and wrote them three times)
    expect(store.bytesAdded - before).toBe(sizes);
    for (const e of files) if (e.type === "file") expect(await store.hasBlob(e.digest)).toBe(true);
    expect(await readdir(path.join(tmp, "store", "tmp"))).toEqual([]);
  });

  it("refuses a file changed since it was hashed, and says which", async () => {
    const file = path.join(root, "config.txt");
    await writeFile(file, "version 1");
    const tree = await hashSettled();
    await writeFile(file, "version 2");
    await expect(store.persistTree(tree)).rejects.toThrow(UsageError);
    await expect(store.persistTree(tree)).rejects.toThrow(
      /config\.txt changed after Gantry hashed it/,
    );
  });

  it("says the content is missing when the host file is gone", async () => {
    const file = path.join(root, "gone.txt");
    await writeFile(file, "soon gone");
    const tree = await hashSettled();
    await rm(file);
    await expect(store.persistTree(tree)).rejects.toThrow(NotFoundError);
  });

  // An exec's source goes in through persistNewBlobs, which copies small files without waiting (persistSmallBlobSync)
  // and leaves the rest, and any file it cannot vouch for, to persistBlob: the same results and the same refusals.
  it("persists an exec's small and large files alike, each counted once", async () => {
    const small = "s".repeat(1000);
    for (let i = 0; i < 70; i++) await writeFile(path.join(root, `s${i}.txt`), `${i}:${small}`);
    await writeFile(path.join(root, "big.bin"), "b".repeat(300 << 10)); // above the synchronous copy's limit
    const tree = await hashSettled();
    const files = Object.values(tree.entries).filter((e) => e.type === "file");
    const before = store.bytesAdded;
    await Promise.all([
      persistNewBlobs(tree, EMPTY_TREE, store),
      persistNewBlobs(tree, EMPTY_TREE, store),
    ]);
    const sizes = files.reduce((n, e) => n + (e.type === "file" ? e.size : 0), 0);
    expect(store.bytesAdded - before).toBe(sizes);
    for (const e of files) if (e.type === "file") expect(await store.hasBlob(e.digest)).toBe(true);
    expect(await readdir(path.join(tmp, "store", "tmp"))).toEqual([]);
  });

  it.each([
    ["grown", "version 1", "version 12"],
    ["rewritten at the same size", "version 1", "version 2"],
  ])("refuses an exec's file %s since it was hashed, and says which", async (_, v1, v2) => {
    const file = path.join(root, "config.txt");
    await writeFile(file, v1);
    const tree = await hashSettled();
    await writeFile(file, v2);
    await expect(persistNewBlobs(tree, EMPTY_TREE, store)).rejects.toThrow(
      /config\.txt changed after Gantry hashed it/,
    );
    expect(await readdir(path.join(tmp, "store", "tmp"))).toEqual([]);
  });

  it("says an exec's file is missing when the host file is gone", async () => {
    const file = path.join(root, "gone.txt");
    await writeFile(file, "soon gone");
    const tree = await hashSettled();
    await rm(file);
    await expect(persistNewBlobs(tree, EMPTY_TREE, store)).rejects.toThrow(NotFoundError);
  });

  // A refusal of a file left to persistBlob can arrive while the loop waits for a turn between synchronous copies; it
  // must reach the caller, not kill the process as an unhandled rejection (vitest fails the run on one).
  it("reports a refusal that arrives while later files are still being copied", async () => {
    const entries: Record<string, { type: "file"; digest: string; size: number; mode: number }> =
      {};
    for (let i = 0; i < 200; i++)
      entries[`f${String(i).padStart(3, "0")}`] = {
        type: "file",
        digest: `sha256:${String(i).padStart(64, "0")}`,
        size: 10,
        mode: 0o644,
      };
    const refused = "sha256:" + "0".repeat(64);
    const copier = {
      persistSmallBlobSync: (d: string) => d !== refused,
      persistBlob: () => Promise.reject(new Error("config.txt changed after Gantry hashed it")),
    } as unknown as ContentStore;
    await expect(persistNewBlobs({ entries }, EMPTY_TREE, copier)).rejects.toThrow(
      /changed after Gantry hashed it/,
    );
  });
});

describe("the store's temporary names", () => {
  it("never repeat, within one store object or between two on the same folder (two processes)", async () => {
    const { ContentStore } = await import("../../src/store/content-store.js");
    const other = new ContentStore(store.root);
    const names = Array.from({ length: 500 }, () => store.tmpPath());
    names.push(...Array.from({ length: 500 }, () => other.tmpPath()));
    expect(new Set(names).size).toBe(1000);
    for (const n of names) expect(path.dirname(n)).toBe(path.join(store.root, "tmp"));
  });
});
