// packTree/unpackTar against real tars: our own, GNU tar's (pax and gnu long names), and hostile ones.
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, symlink, writeFile, link } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { promisify } from "node:util";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContentStore } from "../../src/store/content-store.js";
import { packTree, unpackTar, PACK_MTIME } from "../../src/store/tree-tar.js";
import type { Tree, TreeEntry } from "../../src/store/tree.js";
import { UnsupportedError } from "../../src/errors.js";

const run = promisify(execFile);
let dir: string;
let store: ContentStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gantry-tree-tar-"));
  store = new ContentStore(path.join(dir, "store"));
  await store.init();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Build a tree whose files live in the test store.
async function makeTree(files: Record<string, string | TreeEntry>): Promise<Tree> {
  const entries: Record<string, TreeEntry> = {};
  for (const [name, value] of Object.entries(files)) {
    if (typeof value !== "string") entries[name] = value;
    else {
      const digest = await store.putBytes(value);
      entries[name] = { type: "file", mode: 0o644, digest, size: Buffer.byteLength(value) };
    }
  }
  return { entries };
}

// Read every header of a tar stream (contents drained).
async function listTar(stream: Readable): Promise<tar.Header[]> {
  const extract = tar.extract();
  stream.on("error", (err) => extract.destroy(err));
  stream.pipe(extract);
  const headers: tar.Header[] = [];
  for await (const entry of extract) {
    headers.push(entry.header);
    entry.resume();
  }
  return headers;
}

// A tar made entry by entry, for shapes packTree never produces.
function rawTar(entries: Array<Partial<tar.Header> & { name: string; body?: string }>): Readable {
  const pack = tar.pack();
  for (const { body, ...header } of entries) pack.entry(header, body ?? "");
  pack.finalize();
  return Readable.from(pack);
}

const text = async (entry: TreeEntry | undefined) =>
  entry?.type === "file" ? (await store.readBlob(entry.digest)).toString("utf8") : undefined;

describe("packTree and unpackTar", () => {
  it("round-trips directories, files with modes, symlinks and empty files", async () => {
    const tree = await makeTree({
      bin: { type: "dir", mode: 0o755 },
      "bin/tool": { type: "file", mode: 0o755, ...(await blob("#!/bin/sh\necho hi\n")) },
      "bin/link": { type: "symlink", target: "tool" },
      etc: { type: "dir", mode: 0o700 },
      "etc/conf": "key=value\n",
      "etc/empty": "",
    });
    const back = await unpackTar(packTree(tree, store), store);
    expect(back).toEqual(tree);
  });

  it("streams a larger tree (a 6 MB file and 500 small ones) through a slow consumer intact", async () => {
    const files: Record<string, string> = { big: "x".repeat(6 * 1024 * 1024) };
    for (let i = 0; i < 500; i++) files[`many/f${i}`] = `file ${i}\n`;
    const tree = await makeTree({ many: { type: "dir", mode: 0o755 }, ...files });
    const slow = packTree(tree, store).pipe(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          setImmediate(() => done(null, chunk));
        },
      }),
    );
    expect(await unpackTar(slow, store)).toEqual(tree);
  });

  it("puts entries under a prefix with the given owner and a fixed time", async () => {
    const tree = await makeTree({ a: { type: "dir", mode: 0o755 }, "a/f": "x" });
    const headers = await listTar(
      packTree(tree, store, { prefix: "/app/src/", uid: 1000, gid: 50 }),
    );
    expect(headers.map((h) => h.name)).toEqual(["app/src/a", "app/src/a/f"]);
    expect(headers.every((h) => h.uid === 1000 && h.gid === 50)).toBe(true);
    expect(headers[0]?.mtime?.getTime()).toBe(PACK_MTIME.getTime());
  });

  it("round-trips names longer than a ustar header holds", async () => {
    const long = Array.from({ length: 8 }, (_, i) => `directory-number-${i}`).join("/");
    const tree = await unpackTar(
      packTree(await makeTree({ [`${long}/file.txt`]: "deep" }), store),
      store,
    );
    expect(await text(tree.entries[`${long}/file.txt`])).toBe("deep");
  });

  it("strips the leading component docker's archive adds, and its root entry", async () => {
    const tree = await unpackTar(
      rawTar([
        { name: "b/", type: "directory", mode: 0o755 },
        { name: "b/x", type: "file", mode: 0o600, body: "x" },
        { name: "b/c/y", type: "file", mode: 0o644, body: "y" },
      ]),
      store,
      { strip: "b" },
    );
    expect(Object.keys(tree.entries).sort()).toEqual(["c", "c/y", "x"]);
    expect(tree.entries.x).toMatchObject({ type: "file", mode: 0o600, size: 1 });
    expect(tree.entries.c).toEqual({ type: "dir", mode: 0o755 });
  });

  it("reads './'-rooted archives (docker's archive of /path/.) and skips devices", async () => {
    const tree = await unpackTar(
      rawTar([
        { name: "./", type: "directory", mode: 0o755 },
        { name: "./f", type: "file", mode: 0o644, body: "f" },
        { name: "./null", type: "character-device", mode: 0o666, devmajor: 1, devminor: 3 },
      ]),
      store,
      { strip: "." },
    );
    expect(Object.keys(tree.entries)).toEqual(["f"]);
  });

  it("turns a hard link into a copy of the linked file with the link's mode", async () => {
    const tree = await unpackTar(
      rawTar([
        { name: "d/a", type: "file", mode: 0o644, body: "same" },
        { name: "d/b", type: "link", linkname: "d/a", mode: 0o755 },
      ]),
      store,
      { strip: "d" },
    );
    expect(tree.entries.b).toEqual({ ...tree.entries.a, mode: 0o755 });
  });

  it("refuses '..' in names and hard links to files it has not seen", async () => {
    const escape = rawTar([{ name: "../evil", type: "file", mode: 0o644, body: "x" }]);
    await expect(unpackTar(escape, store)).rejects.toBeInstanceOf(UnsupportedError);
    const dangling = rawTar([{ name: "b", type: "link", linkname: "nowhere" }]);
    await expect(unpackTar(dangling, store)).rejects.toThrow(/hard link to "nowhere"/);
  });

  it("adds parent directories a tar leaves out and lets a later entry replace a directory", async () => {
    const tree = await unpackTar(
      rawTar([
        { name: "p/q/r", type: "file", mode: 0o644, body: "r" },
        { name: "p/q", type: "file", mode: 0o644, body: "q" },
      ]),
      store,
    );
    expect(Object.keys(tree.entries).sort()).toEqual(["p", "p/q"]);
    expect(await text(tree.entries["p/q"])).toBe("q");
  });

  it("reads tars written by GNU tar, pax and gnu formats, with hard links and long names", async () => {
    const src = path.join(dir, "gnu-src");
    const long = path.join(src, "x".repeat(60), "y".repeat(60));
    await mkdir(long, { recursive: true });
    await writeFile(path.join(long, "file"), "long\n");
    await link(path.join(long, "file"), path.join(src, "hard"));
    await symlink("x".repeat(60), path.join(src, "sym"));
    for (const format of ["pax", "gnu"]) {
      const out = path.join(dir, `gnu-${format}.tar`);
      await run("tar", [`--format=${format}`, "-C", src, "-cf", out, "."]);
      const tree = await unpackTar((await import("node:fs")).createReadStream(out), store);
      const longKey = `${"x".repeat(60)}/${"y".repeat(60)}/file`;
      expect(await text(tree.entries[longKey])).toBe("long\n");
      expect(await text(tree.entries.hard)).toBe("long\n");
      expect(tree.entries.sym).toEqual({ type: "symlink", target: "x".repeat(60) });
    }
  });

  it("fails the stream, naming the file, when its content is not the size the tree says", async () => {
    const real = await blob("now longer than it was");
    const tree: Tree = {
      entries: { "src/f": { type: "file", mode: 0o644, digest: real.digest, size: 3 } },
    };
    await expect(listTar(packTree(tree, store))).rejects.toThrow(
      /src\/f changed while it was being sent/,
    );
  });

  it("sends a host file registered as a digest's source, refuses one changed since, and falls back to a store copy", async () => {
    const hostDir = await mkdtemp(path.join(dir, "host-"));
    const hosts = new ContentStore(path.join(dir, "hosts-store"));
    await hosts.init();
    const files = {
      kept: "as hashed\n",
      edited: "before the edit\n",
      copied: "also in the store\n",
      grown: "a log, also in the store\n",
      piped: "replaced by a FIFO, also in the store\n",
    };
    const entries: Record<string, TreeEntry> = {};
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(hostDir, name);
      await writeFile(file, content);
      const digest = await store.putBytes(content); // only for its digest: `hosts` is a store of its own
      hosts.registerSource(digest, file, Buffer.byteLength(content));
      entries[name] = { type: "file", mode: 0o644, digest, size: Buffer.byteLength(content) };
    }
    await hosts.persistBlob((entries.copied as { digest: string }).digest);
    await hosts.persistBlob((entries.grown as { digest: string }).digest);
    await hosts.persistBlob((entries.piped as { digest: string }).digest);
    // a later process over the same store: it has checked none of its blobs, so it reads the host files first
    const later = new ContentStore(path.join(dir, "hosts-store"));
    await later.init();
    for (const [name, content] of Object.entries(files))
      later.registerSource(
        (entries[name] as { digest: string }).digest,
        path.join(hostDir, name),
        Buffer.byteLength(content),
      );
    await rm(path.join(hostDir, "copied"));
    await writeFile(path.join(hostDir, "grown"), "x".repeat(1 << 20), { flag: "a" }); // read no further than its size
    // a FIFO in a file's place is opened without blocking (reading it would wait for a writer forever)
    await rm(path.join(hostDir, "piped"));
    await run("mkfifo", [path.join(hostDir, "piped")]);
    const grown = await unpackTar(
      packTree({ entries: { grown: entries.grown!, piped: entries.piped! } }, later),
      store,
    );
    expect(await text(grown.entries.grown)).toBe(files.grown);
    expect(await text(grown.entries.piped)).toBe(files.piped);
    const ok = await unpackTar(
      packTree({ entries: { kept: entries.kept!, copied: entries.copied! } }, later),
      store,
    );
    expect(await text(ok.entries.kept)).toBe(files.kept);
    expect(await text(ok.entries.copied)).toBe(files.copied);
    await writeFile(path.join(hostDir, "edited"), "after the edi\n"); // same size, other bytes
    await expect(
      listTar(packTree({ entries: { edited: entries.edited! } }, later)),
    ).rejects.toThrow(/edited changed after Gantry hashed it/);
  });

  it("fails the stream when a file's content is missing from the store", async () => {
    const tree: Tree = {
      entries: { f: { type: "file", mode: 0o644, digest: "sha256:" + "0".repeat(64), size: 1 } },
    };
    await expect(listTar(packTree(tree, store))).rejects.toThrow(/not in the store/);
  });
});

// A file entry's digest and size for a string, stored.
async function blob(content: string): Promise<{ digest: string; size: number }> {
  return { digest: await store.putBytes(content), size: Buffer.byteLength(content) };
}
