// A host file that changes while Gantry hashes or sends it must never be sent (or cached) as content it does not
// hold: it is copied into the store once it holds still, or the run fails naming the file.
import { appendFileSync, writeFileSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { ContentStore } from "../../src/store/content-store.js";
import { SNAPSHOT_ATTEMPTS } from "../../src/store/host-file-snapshot.js";
import { hashHostDirectory } from "../../src/store/host-tree.js";
import { packTree, unpackTar } from "../../src/store/tree-tar.js";
import type { FileEntry } from "../../src/store/tree.js";
import { makeTempStore, removeTempStore } from "../helpers/temp-store.js";

let tmp: string;
let root: string;
let store: ContentStore;

beforeEach(async () => void ({ tmp, root, store } = await makeTempStore("torn")));
afterEach(() => removeTempStore(tmp));

// Pack a tree and read the tar back into a second store, as an upload and the container's copy would.
async function roundTrip(tree: Awaited<ReturnType<typeof hashHostDirectory>>) {
  const other = new ContentStore(path.join(tmp, `other-${Math.random()}`));
  await other.init();
  return unpackTar(packTree(tree, store) as Readable, other);
}

describe("host files that change while Gantry reads them", () => {
  it("fails naming the file when it changed (same size) between hashing and sending", async () => {
    const file = path.join(root, "config.txt");
    await writeFile(file, "version=1\n");
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    await utimes(file, anHourAgo, anHourAgo);
    await new Promise((r) => setTimeout(r, 150)); // past the racy margin: hashed in place, not copied
    const tree = await hashHostDirectory(root, {}, store);
    await writeFile(file, "version=2\n");
    const sent = roundTrip(tree);
    await expect(sent).rejects.toThrow(UsageError);
    await expect(roundTrip(tree)).rejects.toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} changed after Gantry hashed it`),
    );
  });

  it("sends a consistent snapshot of a file appended to all through the hash and the upload", async () => {
    const log = path.join(root, "server.log");
    writeFileSync(log, "start\n");
    writeFileSync(path.join(root, "app.js"), "console.log(1)\n");
    let n = 0;
    // a dev server's log: a line every few milliseconds, before, during and after the hash and the upload
    const writer = setInterval(() => appendFileSync(log, `line ${++n} ${"x".repeat(200)}\n`), 15);
    try {
      await new Promise((r) => setTimeout(r, 50));
      const tree = await hashHostDirectory(root, {}, store);
      await new Promise((r) => setTimeout(r, 50));
      const sent = await roundTrip(tree);
      const hashed = tree.entries["server.log"] as FileEntry;
      expect(sent.entries["server.log"]).toMatchObject({
        digest: hashed.digest,
        size: hashed.size,
      });
      expect(hashed.size).toBeGreaterThan(6);
    } finally {
      clearInterval(writer);
    }
    expect(n).toBeGreaterThan(3); // the file really was being written meanwhile
  });

  it("gives up naming the file when it keeps changing through every read", async () => {
    const big = path.join(root, "big.log");
    writeFileSync(big, Buffer.alloc(32 * 1024 * 1024, 97));
    const writer = setInterval(() => appendFileSync(big, "more\n"), 1);
    try {
      const err = await store.snapshotHostFile(big).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(
        `${big} kept changing while Gantry read it (${SNAPSHOT_ATTEMPTS} reads)`,
      );
    } finally {
      clearInterval(writer);
    }
  });
});
