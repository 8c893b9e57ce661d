// Content-addressed blobs, trees and small JSON records on disk; the one place Gantry keeps bytes between runs.
import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, stat, writeFile, copyFile, open, utimes } from "node:fs/promises";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import { digestHex, sha256 } from "./digest.js";
import { treeDigest, type Tree } from "./tree.js";
import { NotFoundError } from "../errors.js";
import { changedSinceHashed, readVerified, snapshotHostFile } from "./host-file-snapshot.js";

/**
 * Layout under `root`: blobs/<hex>, trees/<hex>.json, records/<kind>/<key>.json, tmp/.
 * Writes go to tmp/ then rename, so a crash never leaves a half blob under its digest.
 */
export class ContentStore {
  readonly root: string;
  /** Host files known to hold a digest's bytes (and their size), so hashing a host tree need not copy it. */
  private readonly sources = new Map<string, { path: string; size?: number }>();
  private readonly trees = new Map<string, Tree>();
  /** Bytes of the files this store object wrote (new blobs, trees, records): what a run adds, for the size limit. */
  bytesAdded = 0;

  constructor(root: string) {
    this.root = root;
  }

  async init(): Promise<void> {
    for (const d of ["blobs", "trees", "records", "tmp"])
      await mkdir(path.join(this.root, d), { recursive: true });
  }

  blobPath(digest: string): string {
    return path.join(this.root, "blobs", digestHex(digest));
  }

  /** Remember that `hostPath` holds the bytes of `digest` (checked again whenever it is read). */
  registerSource(digest: string, hostPath: string, size?: number): void {
    this.sources.set(digest, size === undefined ? { path: hostPath } : { path: hostPath, size });
  }

  /**
   * Copy a host file that may be being written into the store, once one read sees it hold still
   * (see host-file-snapshot.ts); its bytes are then the store's, whatever the file does next.
   * Undefined when the file is gone.
   */
  async snapshotHostFile(hostPath: string): Promise<{ digest: string; size: number } | undefined> {
    const snap = await snapshotHostFile(hostPath, () => this.tmpPath());
    if (!snap) return undefined;
    await rename(snap.file, this.blobPath(snap.digest));
    this.bytesAdded += snap.size;
    return { digest: snap.digest, size: snap.size };
  }

  async putBytes(data: string | Uint8Array): Promise<string> {
    const digest = sha256(data);
    const dest = this.blobPath(digest);
    if (!(await exists(dest))) {
      const tmp = this.tmpPath();
      await writeFile(tmp, data);
      await rename(tmp, dest);
      this.bytesAdded += data.length;
    }
    return digest;
  }

  /** Copy a stream into the store, returning its digest and size. */
  async putStream(stream: Readable): Promise<{ digest: string; size: number }> {
    const tmp = this.tmpPath();
    const hash = createHash("sha256");
    let size = 0;
    stream.on("data", (c: Buffer) => {
      hash.update(c);
      size += c.length;
    });
    await pipeline(stream, createWriteStream(tmp));
    const digest = "sha256:" + hash.digest("hex");
    await rename(tmp, this.blobPath(digest));
    this.bytesAdded += size;
    return { digest, size };
  }

  /**
   * Copy a file into the store (when a host file must outlive the run, e.g. cached outputs); a
   * registered host source is checked against the digest on the way, so a file changed since it
   * was hashed never lands in the store under the old digest.
   */
  async putFile(hostPath: string, digest: string): Promise<void> {
    const dest = this.blobPath(digest);
    if (await exists(dest)) return;
    const tmp = this.tmpPath();
    const src = this.sources.get(digest);
    if (src?.path === hostPath)
      await pipeline(readVerified(hostPath, digest, src.size), createWriteStream(tmp));
    else await copyFile(hostPath, tmp);
    await rename(tmp, dest);
    this.bytesAdded += (await stat(dest).catch(() => undefined))?.size ?? 0;
  }

  async hasBlob(digest: string): Promise<boolean> {
    return exists(this.blobPath(digest));
  }

  /** Path of a readable file holding the digest's bytes: the store's copy, else a registered host source. */
  async locateBlob(digest: string): Promise<string> {
    const own = this.blobPath(digest);
    if (await exists(own)) return own;
    const src = this.sources.get(digest);
    if (src && (await exists(src.path))) return src.path;
    throw new NotFoundError(`content ${digest} is not in the store at ${this.root}`, {
      hint: "the cache may have been cleaned while a run used it; run again",
    });
  }

  /** The digest's bytes; a host source's are checked against the digest (it may have changed since). */
  async readBlob(digest: string): Promise<Buffer> {
    const file = await this.locateBlob(digest);
    const data = await readFile(file);
    if (file !== this.blobPath(digest) && sha256(data) !== digest) {
      throw changedSinceHashed(file);
    }
    return data;
  }

  /** A stream of the digest's bytes; a host source's are checked as they stream (see readVerified). */
  async openBlob(digest: string): Promise<Readable> {
    const file = await this.locateBlob(digest);
    if (file === this.blobPath(digest)) return createReadStream(file);
    return readVerified(file, digest, this.sources.get(digest)?.size);
  }

  /** Make every file of a tree live in the store itself (not only at a host source). */
  async persistTree(tree: Tree): Promise<void> {
    for (const entry of Object.values(tree.entries)) {
      if (entry.type !== "file" || (await this.hasBlob(entry.digest))) continue;
      await this.putFile(await this.locateBlob(entry.digest), entry.digest);
    }
  }

  async saveTree(tree: Tree): Promise<string> {
    const digest = treeDigest(tree);
    this.trees.set(digest, tree);
    const dest = path.join(this.root, "trees", digestHex(digest) + ".json");
    if (!(await exists(dest))) {
      const tmp = this.tmpPath();
      const text = JSON.stringify(tree);
      await writeFile(tmp, text);
      await rename(tmp, dest);
      this.bytesAdded += Buffer.byteLength(text);
    }
    return digest;
  }

  async loadTree(digest: string): Promise<Tree> {
    const cached = this.trees.get(digest);
    if (cached) return cached;
    const file = path.join(this.root, "trees", digestHex(digest) + ".json");
    try {
      const tree = JSON.parse(await readFile(file, "utf8")) as Tree;
      this.trees.set(digest, tree);
      return tree;
    } catch (cause) {
      throw new NotFoundError(`tree ${digest} is not in the store`, { cause });
    }
  }

  /**
   * Small JSON records by kind and key (exec results, stat caches, signatures). Reading one marks it used (its
   * mtime is the last-use time `cache gc` orders by), so what runs keep hitting is what the limit keeps.
   */
  async getRecord<T>(kind: string, key: string): Promise<T | undefined> {
    const file = this.recordPath(kind, key);
    // touched before it is read: a gc that looks again just before removing it then sees it in use
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    try {
      return JSON.parse(await readFile(file, "utf8")) as T;
    } catch {
      return undefined;
    }
  }

  async putRecord(kind: string, key: string, value: unknown): Promise<void> {
    const dest = this.recordPath(kind, key);
    await mkdir(path.dirname(dest), { recursive: true });
    const tmp = this.tmpPath();
    const fh = await open(tmp, "w", 0o600);
    const text = JSON.stringify(value);
    try {
      await fh.writeFile(text);
    } finally {
      await fh.close();
    }
    await rename(tmp, dest);
    this.bytesAdded += Buffer.byteLength(text);
  }

  /** The file of a record (`records/<kind>/<hex>.json`); `cache gc` names records by it. */
  recordPath(kind: string, key: string): string {
    return path.join(
      this.root,
      "records",
      kind,
      digestHex(key).replace(/[^A-Za-z0-9._-]/g, "_") + ".json",
    );
  }

  tmpPath(): string {
    return path.join(this.root, "tmp", randomBytes(12).toString("hex"));
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
