// Content-addressed blobs, trees and small JSON records on disk; the one place Gantry keeps bytes between runs.
import {
  closeSync,
  constants,
  createReadStream,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import {
  mkdir,
  readFile,
  rename,
  stat,
  writeFile,
  copyFile,
  open,
  unlink,
  utimes,
} from "node:fs/promises";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import { digestHex, sha256 } from "./digest.js";
import { treeDigest, type Tree } from "./tree.js";
import { sealText, unsealText } from "./sealed-file.js";
import { stateDirWrite, stateDirWriteSync } from "./state-dir-write.js";
import { NotFoundError } from "../errors.js";
import { changedSinceHashed, readVerified, snapshotHostFile } from "./host-file-snapshot.js";

/**
 * Layout under `root`: blobs/<hex>, trees/<hex>.json, records/<kind>/<key>.json, tmp/.
 * Writes go to tmp/ then rename, so a crash never leaves a half blob under its digest.
 * Nothing read back is trusted: a blob's bytes are checked against its digest (once per process), a tree
 * against its digest, a record against the checksum sealed into it; what fails is removed and reads as absent,
 * so the step that made it runs again (docs/reliability.md).
 */
export class ContentStore {
  readonly root: string;
  /** Host files known to hold a digest's bytes (and their size), so hashing a host tree need not copy it. */
  private readonly sources = new Map<string, { path: string; size?: number }>();
  private readonly trees = new Map<string, Tree>();
  /** Store blobs whose bytes this process wrote or has checked against their digest. */
  private readonly verified = new Set<string>();
  /** Copies into the store under way, by digest: parallel execs over one source copy each file once. */
  private readonly persisting = new Map<string, Promise<void>>();
  /** Bytes of the files this store object wrote (new blobs, trees, records): what a run adds, for the size limit. */
  bytesAdded = 0;
  private readonly tmpPrefix = randomBytes(12).toString("hex");
  private tmpCount = 0;

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

  /** The store's own blob of `digest` when this process wrote or checked it (no reading, no waiting); else undefined. */
  checkedBlobPath(digest: string): string | undefined {
    return this.verified.has(digest) ? this.blobPath(digest) : undefined;
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
    this.verified.add(snap.digest);
    this.bytesAdded += snap.size;
    return { digest: snap.digest, size: snap.size };
  }

  async putBytes(data: string | Uint8Array): Promise<string> {
    const digest = sha256(data);
    const dest = this.blobPath(digest);
    if (!(await this.hasBlob(digest))) {
      const tmp = this.tmpPath();
      await stateDirWrite(
        this.root,
        "content",
        async () => {
          await writeFile(tmp, data);
          await rename(tmp, dest);
        },
        tmp,
      );
      this.bytesAdded += data.length;
    }
    this.verified.add(digest);
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
    await stateDirWrite(this.root, "content", () => pipeline(stream, createWriteStream(tmp)), tmp);
    const digest = "sha256:" + hash.digest("hex");
    await rename(tmp, this.blobPath(digest));
    this.verified.add(digest);
    this.bytesAdded += size;
    return { digest, size };
  }

  /**
   * Copy a file into the store (when a host file must outlive the run, e.g. cached outputs); a
   * registered host source is checked against the digest on the way, so a file changed since it
   * was hashed never lands in the store under the old digest.
   */
  async putFile(hostPath: string, digest: string): Promise<void> {
    if (await this.hasBlob(digest)) return;
    await this.copyIn(hostPath, digest);
  }

  private async copyIn(hostPath: string, digest: string): Promise<void> {
    const dest = this.blobPath(digest);
    const tmp = this.tmpPath();
    const src = this.sources.get(digest);
    await stateDirWrite(
      this.root,
      `a copy of ${hostPath}`,
      async () => {
        if (src?.path === hostPath && src.size !== undefined && src.size <= SMALL_FILE) {
          // most source files: one read, checked whole, one write (streams cost more than the bytes here)
          const data = await readFile(hostPath);
          if (data.length !== src.size || sha256(data) !== digest)
            throw changedSinceHashed(hostPath);
          await writeFile(tmp, data);
        } else if (src?.path === hostPath)
          await pipeline(readVerified(hostPath, digest, src.size), createWriteStream(tmp));
        else await copyFile(hostPath, tmp);
        await rename(tmp, dest);
      },
      tmp,
    );
    this.verified.add(digest);
    this.bytesAdded += (await stat(dest).catch(() => undefined))?.size ?? 0;
  }

  /** True when the store holds the digest's bytes intact (a damaged copy is removed and answers false). */
  async hasBlob(digest: string): Promise<boolean> {
    if (this.verified.has(digest)) return exists(this.blobPath(digest));
    try {
      await this.verifyOwnBlob(digest);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /**
   * Check a store blob's bytes against its digest the first time this process uses it; a damaged blob is
   * removed and reported as not found, so whatever needs it is made again.
   */
  async verifyOwnBlob(digest: string): Promise<void> {
    if (this.verified.has(digest)) return;
    const file = this.blobPath(digest);
    let actual: string;
    try {
      actual = await hashFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw this.missing(digest);
      throw err;
    }
    if (actual !== digest) throw await this.dropDamaged(digest);
    this.verified.add(digest);
  }

  // Remove a blob whose bytes are not its digest's, and say what happened and what to do.
  private async dropDamaged(digest: string): Promise<NotFoundError> {
    await unlink(this.blobPath(digest)).catch(() => {});
    this.verified.delete(digest);
    return new NotFoundError(
      `content ${digest} in Gantry's store at ${this.root} was damaged (its bytes no longer match their digest); it has been removed`,
      { hint: "run again: the step that made it runs again" },
    );
  }

  private missing(digest: string): NotFoundError {
    return new NotFoundError(`content ${digest} is not in the store at ${this.root}`, {
      hint: "the cache may have been cleaned while a run used it; run again",
    });
  }

  /** Path of a readable file holding the digest's bytes: the store's copy, else a registered host source. */
  async locateBlob(digest: string): Promise<string> {
    const own = this.blobPath(digest);
    if (exists(own)) return own;
    const src = this.sources.get(digest);
    if (src && exists(src.path)) return src.path;
    throw this.missing(digest);
  }

  /** The digest's bytes; a host source's are checked against the digest (it may have changed since). */
  async readBlob(digest: string): Promise<Buffer> {
    const file = await this.locateBlob(digest);
    const data = await readFile(file);
    if (sha256(data) !== digest) {
      if (file !== this.blobPath(digest)) throw changedSinceHashed(file);
      throw await this.dropDamaged(digest);
    }
    if (file === this.blobPath(digest)) this.verified.add(digest);
    return data;
  }

  /**
   * The digest's bytes, read without waiting (a small file: an async read's open, read and close each wait for the
   * event loop, most of a 200-file tar); undefined when they do not match the digest, for readBlob to say why.
   */
  readBlobSync(digest: string, size: number): Buffer | undefined {
    // a host source is read first, without stat calls (each costs ~20 µs here): the digest check covers a file
    // changed since it was hashed, and a store copy, if any, is the fallback
    const src = this.sources.get(digest);
    if (src && !this.verified.has(digest)) {
      const data = readExactly(src.path, size);
      if (data && sha256(data) === digest) return data;
    }
    const data = readExactly(this.blobPath(digest), size);
    if (!data || sha256(data) !== digest) return undefined;
    this.verified.add(digest);
    return data;
  }

  /** A stream of the digest's bytes; a host source's are checked as they stream (see readVerified). */
  async openBlob(digest: string): Promise<Readable> {
    const file = await this.locateBlob(digest);
    if (file !== this.blobPath(digest))
      return readVerified(file, digest, this.sources.get(digest)?.size);
    if (this.verified.has(digest)) return createReadStream(file);
    // checked as it streams: a damaged blob fails the stream at its end and is removed
    const damaged = new NotFoundError(
      `content ${digest} in Gantry's store at ${this.root} was damaged (its bytes no longer match their digest); it has been removed`,
      { hint: "run again: the step that made it runs again" },
    );
    return readVerified(file, digest, undefined, () => {
      void this.dropDamaged(digest);
      return damaged;
    });
  }

  /** Make every file of a tree live in the store itself (not only at a host source). */
  async persistTree(tree: Tree): Promise<void> {
    for (const entry of Object.values(tree.entries)) {
      if (entry.type === "file") await this.persistBlob(entry.digest);
    }
  }

  /**
   * `persistBlob` without waiting, for a small file: true when the digest's bytes are now in the store (copied from
   * its host source, checked whole, or written or checked by this process before); false leaves it to `persistBlob`
   * (a large file, no host source, a store copy not checked yet, a source that no longer matches: that path says
   * why). Each async step of a copy waits for the event loop, and for 200 source files that was ~140 ms of the
   * first exec's start; this is one read, one write and a rename each (~30 ms).
   */
  persistSmallBlobSync(digest: string): boolean {
    const dest = this.blobPath(digest);
    if (this.verified.has(digest)) return exists(dest);
    const src = this.sources.get(digest);
    // a copy under way (persistBlob) finishes and counts the bytes itself
    if (src?.size === undefined || src.size > SYNC_COPY_MAX || this.persisting.has(digest))
      return false;
    if (exists(dest)) return false;
    const data = readExactly(src.path, src.size);
    if (!data || sha256(data) !== digest) return false;
    const tmp = this.tmpPath();
    stateDirWriteSync(
      this.root,
      `a copy of ${src.path}`,
      () => {
        writeFileSync(tmp, data);
        renameSync(tmp, dest);
      },
      tmp,
    );
    this.verified.add(digest);
    this.bytesAdded += data.length;
    return true;
  }

  /**
   * Make one digest's bytes live in the store itself, copied from its host source when it is not there yet.
   * Callers asking for the same digest at once share one copy (three parallel execs over one source used to
   * copy, and race to rename, each of its files three times).
   */
  persistBlob(digest: string): Promise<void> {
    const busy = this.persisting.get(digest);
    if (busy) return busy;
    const job = (async () => {
      if (await this.hasBlob(digest)) return;
      const src = this.sources.get(digest);
      if (!src) throw this.missing(digest);
      await this.copyIn(src.path, digest).catch((e: unknown) => {
        throw (e as NodeJS.ErrnoException).code === "ENOENT" ? this.missing(digest) : e;
      });
    })().finally(() => this.persisting.delete(digest));
    this.persisting.set(digest, job);
    return job;
  }

  async saveTree(tree: Tree): Promise<string> {
    const digest = treeDigest(tree);
    const dest = path.join(this.root, "trees", digestHex(digest) + ".json");
    if (!(await this.hasTree(digest))) {
      const tmp = this.tmpPath();
      const text = JSON.stringify(tree);
      await stateDirWrite(
        this.root,
        "a directory listing",
        async () => {
          await writeFile(tmp, text);
          await rename(tmp, dest);
        },
        tmp,
      );
      this.bytesAdded += Buffer.byteLength(text);
    }
    this.trees.set(digest, tree);
    return digest;
  }

  async loadTree(digest: string): Promise<Tree> {
    const cached = this.trees.get(digest);
    if (cached) return cached;
    const file = path.join(this.root, "trees", digestHex(digest) + ".json");
    let tree: Tree;
    try {
      tree = JSON.parse(await readFile(file, "utf8")) as Tree;
    } catch (cause) {
      // unreadable or not JSON: absent either way (a damaged file is removed)
      if ((cause as NodeJS.ErrnoException).code !== "ENOENT") await unlink(file).catch(() => {});
      throw new NotFoundError(`tree ${digest} is not in the store`, { cause });
    }
    if (!isTreeShaped(tree) || treeDigest(tree) !== digest) {
      await unlink(file).catch(() => {});
      throw new NotFoundError(`tree ${digest} in the store was damaged; it has been removed`, {
        hint: "run again: the step that made it runs again",
      });
    }
    this.trees.set(digest, tree);
    return tree;
  }

  // A tree file is kept only when it loads intact, so saveTree rewrites a damaged one.
  private async hasTree(digest: string): Promise<boolean> {
    try {
      await this.loadTree(digest);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /** True when every file of the tree is in the store intact, or at a host source registered this run. */
  async hasTreeContent(tree: Tree): Promise<boolean> {
    for (const entry of Object.values(tree.entries)) {
      if (entry.type !== "file" || (await this.hasBlob(entry.digest))) continue;
      if (!this.sources.has(entry.digest)) return false;
    }
    return true;
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
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      return undefined;
    }
    const body = unsealText(text);
    // damaged, half-written by an old version, or not Gantry's: never trusted, removed so it is rebuilt
    if (body === undefined) {
      await unlink(file).catch(() => {});
      return undefined;
    }
    return JSON.parse(body) as T;
  }

  async putRecord(kind: string, key: string, value: unknown): Promise<void> {
    const dest = this.recordPath(kind, key);
    const tmp = this.tmpPath();
    const sealed = sealText(JSON.stringify(value));
    await stateDirWrite(
      this.root,
      `a ${kind} record`,
      async () => {
        await mkdir(path.dirname(dest), { recursive: true });
        const fh = await open(tmp, "w", 0o600);
        try {
          await fh.writeFile(sealed);
        } finally {
          await fh.close();
        }
        await rename(tmp, dest);
      },
      tmp,
    );
    this.bytesAdded += Buffer.byteLength(sealed);
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

  /** The lock file (see file-lock.ts) for `name` among the processes sharing this store. */
  lockPath(name: string): string {
    const safe = name.replace(/[^A-Za-z0-9._-]/g, "_");
    const short = safe.length > 100 ? `${safe.slice(0, 80)}-${sha256(name).slice(7, 23)}` : safe;
    return path.join(this.root, "locks", `${short}.lock`);
  }

  /** A new name in the store's tmp folder: this store object's random prefix (other processes share the folder) and a
   * count, not random bytes each (their entropy call was ~7 % of copying 200 small files into the store). */
  tmpPath(): string {
    return path.join(this.root, "tmp", `${this.tmpPrefix}-${(this.tmpCount++).toString(36)}`);
  }
}

// Enough of a tree's shape that treeDigest can run on what JSON.parse gave back.
function isTreeShaped(t: unknown): t is Tree {
  const entries = (t as { entries?: unknown } | null)?.entries;
  return typeof entries === "object" && entries !== null && !Array.isArray(entries);
}

/** Files up to this size are read whole rather than streamed. */
const SMALL_FILE = 1 << 20;
/** Files up to this size are copied into the store without waiting (persistSmallBlobSync). */
const SYNC_COPY_MAX = 256 << 10;

/** The sha256 digest of a file's bytes: small files in one read, large ones streamed. */
async function hashFile(file: string): Promise<string> {
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    if (size <= SMALL_FILE) return sha256(await fh.readFile());
    const hash = createHash("sha256");
    await pipeline(fh.createReadStream({ autoClose: false }), hash);
    return "sha256:" + hash.digest("hex");
  } finally {
    await fh.close();
  }
}

// A stat that answers "no" without an exception: the promise form throws ENOENT, and making that error (its stack, its
// message) for every host file of a tar that is not in the store yet was most of Node's time sending 10,000 files.
// Synchronous: a stat of a cached entry takes microseconds, less than a round trip through the thread pool.
function exists(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

// A file's `size` bytes; undefined when it is not there, holds another number of bytes (read no further than one
// past `size`: a log file grown since it was hashed is not read whole) or is not a plain file (a FIFO put in its
// place is opened without blocking and fails to read). The caller's slower path says why.
function readExactly(file: string, size: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.allocUnsafe(size + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got)
      got = readSync(fd, buf, n, buf.length - n, null);
    return n === size ? buf.subarray(0, size) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
