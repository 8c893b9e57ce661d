import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { chmod, mkdir, stat, utimes, writeFile, appendFile, unlink } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ContentStore } from "../../src/store/content-store.js";
import { hashHostDirectory } from "../../src/store/host-tree.js";
import { STAT_CACHE_KIND, statCacheKey, type StatCacheRecord } from "../../src/store/stat-cache.js";
import { sha256 } from "../../src/store/digest.js";
import type { FileEntry } from "../../src/store/tree.js";
import { makeTempStore, removeTempStore } from "../helpers/temp-store.js";

let tmp: string;
let root: string;
let store: ContentStore;

beforeEach(async () => {
  ({ tmp, root, store } = await makeTempStore("stat-cache"));
  await mkdir(path.join(root, "sub"), { recursive: true });
  await writeFile(path.join(root, "a.txt"), "aaaa");
  await writeFile(path.join(root, "sub/b.txt"), "bbbb");
});

afterEach(() => removeTempStore(tmp));

const readCache = () => store.getRecord<StatCacheRecord>(STAT_CACHE_KIND, statCacheKey(root));
const fileAt = async (rel: string) =>
  (await hashHostDirectory(root, {}, store)).entries[rel] as FileEntry;
// Files younger than the racy margin (100 ms on fine-grained file systems) are deliberately not cached.
const settle = () => sleep(150);

describe("stat cache", () => {
  it("persists size, mtime, ctime, inode and digest per path, keyed by the root", async () => {
    await settle();
    await hashHostDirectory(root, {}, store);
    const rec = await readCache();
    const st = await stat(path.join(root, "a.txt"));
    expect(rec?.root).toBe(root);
    expect(rec?.entries["a.txt"]).toEqual([4, st.mtimeMs, st.ctimeMs, st.ino, sha256("aaaa")]);
    expect(Object.keys(rec?.entries ?? {}).sort()).toEqual(["a.txt", "sub/b.txt"]);
  });

  it("a warm re-hash trusts the cache and reads no contents", async () => {
    await settle();
    await hashHostDirectory(root, {}, store);
    // Forge the cached digest while the stats still match: only a hash that skipped reading returns it.
    const rec = (await readCache())!;
    const forged = sha256("never read from disk");
    rec.entries["a.txt"]![4] = forged;
    await store.putRecord(STAT_CACHE_KIND, statCacheKey(root), rec);
    expect((await fileAt("a.txt")).digest).toBe(forged);
    expect((await fileAt("sub/b.txt")).digest).toBe(sha256("bbbb"));
  });

  it("detects a real edit, and a same-size edit whose mtime was put back (ctime moves)", async () => {
    const b = path.join(root, "sub/b.txt");
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600; // whole seconds survive utimes exactly
    await utimes(b, anHourAgo, anHourAgo);
    await settle();
    await hashHostDirectory(root, {}, store);
    expect((await readCache())?.entries["sub/b.txt"]?.[4]).toBe(sha256("bbbb"));

    await appendFile(path.join(root, "a.txt"), "!");
    expect(await fileAt("a.txt")).toMatchObject({ size: 5, digest: sha256("aaaa!") });

    // Same size, mtime put back: git's trustctime rule; the inode's ctime still moved, so it is re-read.
    const before = await stat(b);
    await writeFile(b, "BBBB");
    await utimes(b, anHourAgo, anHourAgo);
    const after = await stat(b);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([
      before.size,
      before.mtimeMs,
      before.ino,
    ]);
    expect(after.ctimeMs).not.toBe(before.ctimeMs);
    expect((await fileAt("sub/b.txt")).digest).toBe(sha256("BBBB"));
  });

  it("does not cache a file written moments before it was hashed (racily clean)", async () => {
    await hashHostDirectory(root, {}, store);
    expect((await readCache())?.entries["a.txt"]).toBeUndefined();
    await settle();
    await hashHostDirectory(root, {}, store);
    expect((await readCache())?.entries["a.txt"]?.[4]).toBe(sha256("aaaa"));
  });

  it("takes modes from the fresh stat, not the cache", async () => {
    await settle();
    await hashHostDirectory(root, {}, store);
    await chmod(path.join(root, "a.txt"), 0o700);
    expect((await fileAt("a.txt")).mode).toBe(0o700);
  });

  it("drops deleted files but keeps entries another filter left out", async () => {
    await settle();
    await hashHostDirectory(root, {}, store);
    await hashHostDirectory(root, { include: ["sub"] }, store);
    expect(Object.keys((await readCache())?.entries ?? {}).sort()).toEqual(["a.txt", "sub/b.txt"]);
    await unlink(path.join(root, "a.txt"));
    await hashHostDirectory(root, {}, store);
    expect(Object.keys((await readCache())?.entries ?? {})).toEqual(["sub/b.txt"]);
  });
});
