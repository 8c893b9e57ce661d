// What the content store holds, for collection: every record (with the digests it names and its last use), and
// every tree and blob (with size and age). A record holds what it names, and a tree the blobs of its files.
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** One record file: a cache entry `cache gc` may evict. */
export interface RecordItem {
  kind: string;
  /** The file name without `.json` (the hex of its key). */
  stem: string;
  file: string;
  bytes: number;
  /** Its mtime: written, or last read by a run (ContentStore.getRecord touches it). */
  lastUsed: number;
  /** Every `sha256:` digest it names (snapshots, trees, blobs). */
  refs: string[];
}

/** A tree or blob file of the store. */
export interface StoreObject {
  type: "tree" | "blob";
  digest: string;
  file: string;
  bytes: number;
  mtime: number;
}

export interface StoreInventory {
  records: RecordItem[];
  /** Trees and blobs by digest. */
  objects: Map<string, StoreObject>;
  /** Leftovers of writes (`tmp/`), by path with their mtime and size. */
  tmp: StoreObject[];
}

const DIGEST = /sha256:[0-9a-f]{64}/g;

/** List the store under `root` (`<stateDir>/store`). */
export async function inventoryStore(root: string): Promise<StoreInventory> {
  const records: RecordItem[] = [];
  const recordsDir = path.join(root, "records");
  for (const kind of await readdir(recordsDir).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(recordsDir, kind)).catch(() => [] as string[])) {
      if (!name.endsWith(".json")) continue;
      const file = path.join(recordsDir, kind, name);
      const st = await lstat(file).catch(() => undefined);
      const text = await readFile(file, "utf8").catch(() => undefined);
      if (!st || text === undefined) continue;
      const refs = [...new Set(text.match(DIGEST) ?? [])];
      records.push({
        kind,
        stem: name.slice(0, -5),
        file,
        bytes: st.size,
        lastUsed: st.mtimeMs,
        refs,
      });
    }
  }
  const objects = new Map<string, StoreObject>();
  for (const [type, dir, strip] of [
    ["tree", "trees", ".json"],
    ["blob", "blobs", ""],
  ] as const) {
    for (const o of await listFiles(path.join(root, dir))) {
      const hex = strip && o.name.endsWith(strip) ? o.name.slice(0, -strip.length) : o.name;
      const digest = `sha256:${hex}`;
      objects.set(digest, { type, digest, file: o.file, bytes: o.bytes, mtime: o.mtime });
    }
  }
  const tmp = (await listFiles(path.join(root, "tmp"))).map((o) => ({
    type: "blob" as const,
    digest: o.name,
    file: o.file,
    bytes: o.bytes,
    mtime: o.mtime,
  }));
  return { records, objects, tmp };
}

/** The blob digests of a stored tree's files (empty when it cannot be read). */
export async function treeBlobs(treeFile: string): Promise<string[]> {
  try {
    const tree = JSON.parse(await readFile(treeFile, "utf8")) as {
      entries: Record<string, { type: string; digest?: string }>;
    };
    return Object.values(tree.entries)
      .filter((e) => e.type === "file" && typeof e.digest === "string")
      .map((e) => e.digest as string);
  } catch {
    return [];
  }
}

// Plain files of one folder with size and mtime.
async function listFiles(
  dir: string,
): Promise<{ name: string; file: string; bytes: number; mtime: number }[]> {
  const out: { name: string; file: string; bytes: number; mtime: number }[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const st = await lstat(file).catch(() => undefined);
    if (st?.isFile()) out.push({ name, file, bytes: st.size, mtime: st.mtimeMs });
  }
  return out;
}
