// The content store never trusts what it reads back: a damaged record, tree or blob reads as absent (and is
// removed), so whatever needs it is made again; and a write after the damage puts it right.
import { mkdtemp, open, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ContentStore } from "../../src/store/content-store.js";
import { digestHex } from "../../src/store/digest.js";
import { materializeTree } from "../../src/store/tree-materialize.js";
import { NotFoundError } from "../../src/errors.js";

let dir: string;
let store: ContentStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gantry-damaged-"));
  store = new ContentStore(path.join(dir, "store"));
  await store.init();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Flip one byte in the middle of a file.
async function damage(file: string): Promise<void> {
  const fh = await open(file, "r+");
  const { size } = await fh.stat();
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, Math.floor(size / 2));
  b[0] = (b[0] as number) ^ 0x01;
  await fh.write(b, 0, 1, Math.floor(size / 2));
  await fh.close();
}

// A store opened afresh on the same root: what the next process sees.
async function reopen(): Promise<ContentStore> {
  const s = new ContentStore(store.root);
  await s.init();
  return s;
}

const gone = (p: string) =>
  stat(p).then(
    () => false,
    () => true,
  );

describe("a damaged content store", () => {
  it("drops a record whose bytes changed, even when it still parses", async () => {
    await store.putRecord("exec", "k", { stdout: "right answer" });
    const [file] = await readdir(path.join(store.root, "records/exec"));
    const abs = path.join(store.root, "records/exec", file as string);
    expect(await store.getRecord("exec", "k")).toEqual({ stdout: "right answer" });
    await damage(abs); // flips a letter inside the JSON body: still valid JSON, wrong answer
    expect(await (await reopen()).getRecord("exec", "k")).toBeUndefined();
    expect(await gone(abs)).toBe(true);
  });

  it("drops a tree whose file no longer matches its digest, and saveTree writes it again", async () => {
    const blob = await store.putBytes("hello");
    const tree = {
      entries: { "a.txt": { type: "file" as const, mode: 0o644, digest: blob, size: 5 } },
    };
    const digest = await store.saveTree(tree);
    const file = path.join(store.root, "trees", digestHex(digest) + ".json");
    await damage(file);
    const next = await reopen();
    await expect(next.loadTree(digest)).rejects.toThrow(/was damaged; it has been removed/);
    expect(await gone(file)).toBe(true);
    await next.saveTree(tree);
    expect(await (await reopen()).loadTree(digest)).toEqual(tree);
  });

  it("refuses a damaged blob on every read path, removes it, and takes it again", async () => {
    const digest = await store.putBytes("the right bytes");
    await damage(store.blobPath(digest));
    await expect((await reopen()).readBlob(digest)).rejects.toThrow(/was damaged/);
    expect(await gone(store.blobPath(digest))).toBe(true);

    await store.putBytes("the right bytes");
    await damage(store.blobPath(digest));
    await expect(text(await (await reopen()).openBlob(digest))).rejects.toThrow(/was damaged/);

    await store.putBytes("the right bytes");
    await damage(store.blobPath(digest));
    const next = await reopen();
    expect(await next.hasBlob(digest)).toBe(false);
    await next.putBytes("the right bytes"); // a damaged copy is not taken for the blob
    expect((await (await reopen()).readBlob(digest)).toString()).toBe("the right bytes");
  });

  it("never copies a damaged blob into a materialised tree", async () => {
    const digest = await store.putBytes("contents");
    await damage(store.blobPath(digest));
    const tree = { entries: { f: { type: "file" as const, mode: 0o644, digest, size: 8 } } };
    const err = await materializeTree(tree, await reopen(), path.join(dir, "out")).catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toMatch(/was damaged/);
  });
});
