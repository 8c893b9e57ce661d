// Trees cross into and out of containers as tar streams; this is the one place that speaks tar.
import { PassThrough, type Readable } from "node:stream";
import tar from "tar-stream";
import type { ContentStore } from "./content-store.js";
import { normalizeTreePath, type FileEntry, type Tree, type TreeEntry } from "./tree.js";
import { UnsupportedError, isGantryError } from "../errors.js";

/**
 * Trees carry no times; every packed entry gets this one, so equal trees give equal tars.
 * Not the epoch: zip (Python wheels, jar) refuses dates before 1980. npm uses the same date.
 */
export const PACK_MTIME = new Date("1985-10-26T08:15:00Z");

/** What packTree hands on at once (see there). */
const OUT_CHUNK = 64 * 1024;

export interface PackOptions {
  /** Put every entry under this directory (tree form or absolute: "app/src", "/app/src"). */
  prefix?: string;
  uid?: number;
  gid?: number;
}

export interface UnpackOptions {
  /** Drop this leading component: docker's archive of /a/b holds `b` and `b/...`. */
  strip?: string;
}

// Stream a tree out of the store as an uncompressed tar, parents before children, contents read lazily.
export function packTree(tree: Tree, store: ContentStore, opts: PackOptions = {}): Readable {
  const pack = tar.pack();
  // A real node stream, so callers may pipe it into http requests and node pipelines alike.
  const out = new PassThrough();
  let failure: Error | undefined;
  // tar-stream fails the pack with its own terse error ("Size mismatch"); ours, which names the file, wins.
  pack.on("error", (err: Error) => setImmediate(() => out.destroy(failure ?? err)));
  // Pumped by hand: streamx's pipe would fail `out` with tar-stream's own error before ours arrives. Its chunks (a
  // 512-byte header, the content, the padding: three per small file) are passed on in pieces of OUT_CHUNK bytes, so
  // an http request body makes a write per piece rather than per header.
  let held: Buffer[] = [];
  let heldBytes = 0;
  const pass = (): boolean => {
    if (heldBytes === 0) return true;
    const piece = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, heldBytes);
    held = [];
    heldBytes = 0;
    return out.write(piece);
  };
  pack.on("data", (data: unknown) => {
    const chunk = data as Buffer;
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes >= OUT_CHUNK && !pass()) pack.pause();
  });
  out.on("drain", () => pack.resume());
  pack.on("end", () => {
    pass();
    out.end();
  });
  writeEntries(pack, tree, store, opts).then(
    () => pack.finalize(),
    (err: unknown) => {
      failure = err instanceof Error ? err : new Error(String(err));
      pack.destroy(failure);
      out.destroy(failure);
    },
  );
  return out;
}

/** Files up to this size are read whole, synchronously, and verified before they are written into the tar. */
const SMALL_FILE_BYTES = 256 * 1024;
/** The event loop gets a turn this often (the tar's reader, the socket it goes to). */
const YIELD_EVERY = 64;

// Write the tree's entries one at a time (tar-stream accepts one open entry at once). Small files are read with
// readFileSync: awaiting each file's open, read and close in turn (even 32 ahead) was most of a 200-file tar's time.
async function writeEntries(pack: tar.Pack, tree: Tree, store: ContentStore, opts: PackOptions) {
  const prefix = normalizeTreePath(opts.prefix ?? "");
  const owner = { uid: opts.uid ?? 0, gid: opts.gid ?? 0, mtime: PACK_MTIME };
  const keys = Object.keys(tree.entries).sort();
  for (let i = 0; i < keys.length; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    const key = keys[i] as string;
    const entry = tree.entries[key] as TreeEntry;
    const name = prefix === "" ? key : `${prefix}/${key}`;
    if (entry.type === "dir") {
      await addEntry(pack, { ...owner, name, type: "directory", mode: entry.mode });
    } else if (entry.type === "symlink") {
      await addEntry(pack, {
        ...owner,
        name,
        type: "symlink",
        linkname: entry.target,
        mode: 0o777,
      });
    } else {
      const header = {
        ...owner,
        name,
        type: "file" as const,
        mode: entry.mode,
        size: entry.size,
      };
      // bytes that do not match their digest are read again by readBlob, which says why (changed, or damaged)
      const content =
        entry.size <= SMALL_FILE_BYTES
          ? (store.readBlobSync(entry.digest, entry.size) ?? (await store.readBlob(entry.digest)))
          : await store.openBlob(entry.digest);
      await addEntry(pack, header, content);
    }
  }
}

/** What tar-stream's `entry()` takes: a name and any other header fields. */
type EntryHeader = Partial<tar.Header> & { name: string };

// Add one entry and wait until tar-stream has taken it; entries without content (or with their bytes in hand) finish
// by themselves.
function addEntry(pack: tar.Pack, header: EntryHeader, content?: Readable | Buffer): Promise<void> {
  if (Buffer.isBuffer(content)) {
    if (content.length !== header.size) {
      return Promise.reject(
        new UnsupportedError(
          `${header.name} changed while it was being sent (it has ${content.length} bytes, not ${header.size}): run again`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      pack.entry(header, content, (err) => (err ? reject(err) : resolve()));
    });
  }
  return new Promise((resolve, reject) => {
    let contentError: Error | undefined;
    // A file entry failing while its content read fine means the bytes were not the size the tree
    // recorded: the file changed after it was hashed. tar-stream says only "Size mismatch".
    const fail = (err: Error) =>
      reject(
        contentError ??
          (content
            ? new UnsupportedError(
                `${header.name} changed while it was being sent (${err.message}): run again`,
                { cause: err },
              )
            : err),
      );
    const sink = pack.entry(header, (err) => (err ? fail(err) : resolve()));
    sink.on("error", fail);
    if (!content) return;
    content.on("error", (err) => {
      contentError = err;
      sink.destroy(err);
      reject(err);
    });
    content.pipe(sink);
  });
}

// Read a tar into the store: files become blobs, hard links become copies, devices are skipped.
export async function unpackTar(
  stream: Readable,
  store: ContentStore,
  opts: UnpackOptions = {},
): Promise<Tree> {
  const strip = tarPath(opts.strip ?? "");
  const entries: Record<string, TreeEntry> = {};
  const dirs = new Set<string>();
  const extract = tar.extract();
  stream.on("error", (err) => extract.destroy(err));
  stream.pipe(extract);
  let current: string | undefined;
  try {
    for await (const item of extract) {
      const header = item.header;
      current = header.name;
      const name = stripComponent(tarPath(header.name), strip, header.name);
      const mode = (header.mode ?? 0o644) & 0o7777;
      if (name !== "") refuseBelowNonDirectory(entries, name, header.name);
      if (header.type === "file" || header.type === "contiguous-file") {
        const { digest, size } = await store.putStream(item as unknown as Readable);
        if (name !== "") setEntry(entries, dirs, name, { type: "file", mode, digest, size });
        continue;
      }
      item.resume();
      if (name === "") continue;
      if (header.type === "directory") setEntry(entries, dirs, name, { type: "dir", mode });
      else if (header.type === "symlink") {
        setEntry(entries, dirs, name, { type: "symlink", target: header.linkname ?? "" });
      } else if (header.type === "link") {
        const linked = stripComponent(tarPath(header.linkname ?? ""), strip, header.linkname ?? "");
        const source = hardLinkSource(entries, linked, header.name, header.linkname ?? "");
        setEntry(entries, dirs, name, { ...source, mode });
      }
      current = undefined;
    }
  } catch (err) {
    throw unpackError(err, current);
  }
  return { entries: addMissingParents(entries) };
}

// A broken or cut-off stream fails with the parser's terse words ("Unexpected end of data"): name the entry.
function unpackError(err: unknown, entry: string | undefined): unknown {
  if (isGantryError(err)) return err;
  const what = entry === undefined ? "between entries" : `in entry ${JSON.stringify(entry)}`;
  const message = err instanceof Error ? err.message : String(err);
  return new UnsupportedError(`could not read a tar stream ${what}: ${message}`, {
    cause: err,
    hint: "the archive is truncated or malformed (or the engine's connection broke): run again",
  });
}

// An entry below an earlier symlink or file would be written through the link (outside the directory, for a
// symlink to "../.." or "/etc") or into nothing: GNU tar and bsdtar refuse it too.
function refuseBelowNonDirectory(
  entries: Record<string, TreeEntry>,
  name: string,
  raw: string,
): void {
  for (let i = name.indexOf("/"); i > 0; i = name.indexOf("/", i + 1)) {
    const parent = entries[name.slice(0, i)];
    if (!parent || parent.type === "dir") continue;
    const what =
      parent.type === "symlink" ? `a symlink to ${JSON.stringify(parent.target)}` : "a file";
    throw new UnsupportedError(
      `tar entry ${JSON.stringify(raw)} lies below ${JSON.stringify(name.slice(0, i))}, which the ` +
        `archive made ${what}: refusing to write through it; re-create the archive without it`,
    );
  }
}

// A hard link names an earlier file of the same tar; a tree has no links, so it becomes a copy.
function hardLinkSource(
  entries: Record<string, TreeEntry>,
  linked: string,
  name: string,
  rawLinked: string,
) {
  const source = entries[linked];
  if (source?.type !== "file") {
    throw new UnsupportedError(
      `tar entry ${JSON.stringify(name)} is a hard link to ${JSON.stringify(rawLinked)}, ` +
        `which is not an earlier regular file of the same archive: re-create the archive without it`,
    );
  }
  return source satisfies FileEntry;
}

// Later entries win, as when tar extracts; a non-directory replacing a directory drops its children.
function setEntry(
  entries: Record<string, TreeEntry>,
  dirs: Set<string>,
  name: string,
  entry: TreeEntry,
): void {
  if (entry.type !== "dir" && dirs.has(name)) {
    for (const key of Object.keys(entries)) if (key.startsWith(name + "/")) delete entries[key];
    for (const dir of dirs) if (dir === name || dir.startsWith(name + "/")) dirs.delete(dir);
  }
  // Every parent of a name is a directory from now on (whether or not the tar lists it).
  for (let i = name.indexOf("/"); i > 0; i = name.indexOf("/", i + 1)) dirs.add(name.slice(0, i));
  if (entry.type === "dir") dirs.add(name);
  entries[name] = entry;
}

// Keep the Tree invariant (every parent is an entry) even for tars that list only files.
function addMissingParents(entries: Record<string, TreeEntry>): Record<string, TreeEntry> {
  for (const key of Object.keys(entries)) {
    for (let i = key.indexOf("/"); i > 0; i = key.indexOf("/", i + 1)) {
      const parent = key.slice(0, i);
      if (!entries[parent]) entries[parent] = { type: "dir", mode: 0o755 };
    }
  }
  return entries;
}

// Tar names come as "/a", "./a", "a/", "a//b"; give them tree form and refuse any ".." component.
function tarPath(raw: string): string {
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) {
    throw new UnsupportedError(
      `tar entry ${JSON.stringify(raw)} points outside the directory being unpacked: ` +
        `refusing it; re-create the archive with relative paths`,
    );
  }
  return parts.join("/");
}

// Remove the leading `strip` component; an entry outside it means the archive is not what was asked for.
function stripComponent(name: string, strip: string, raw: string): string {
  if (strip === "") return name;
  if (name === strip) return "";
  if (name.startsWith(strip + "/")) return name.slice(strip.length + 1);
  throw new UnsupportedError(
    `tar entry ${JSON.stringify(raw)} is not under ${JSON.stringify(strip)}: ` +
      `the archive does not hold the directory that was asked for`,
  );
}
