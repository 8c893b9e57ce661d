// Mounts are what an exec sees but does not keep: each becomes a host path bound into the sandbox (or placed in plain mode).
import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { mountHasOutput, type MountSpec } from "../runtime.js";
import type { ContentStore } from "../../store/content-store.js";
import { materializeTree, type FileStamp } from "../../store/tree-materialize.js";
import type { CacheVolumes } from "./cache-volumes.js";
import { treePathOf } from "./system-view.js";
import { chownTree, mountOwnerIds, type Ids } from "./mount-owner.js";

export interface MountContext {
  mode: "bubblewrap" | "plain";
  /** The exec's upper directory (the container's root in plain mode). */
  upper: string;
  /** A private directory of this exec for mount sources. */
  scratch: string;
  store: ContentStore;
  caches: CacheVolumes;
  newTempDir: () => Promise<string>;
  signal: AbortSignal;
  /** Gantry's own ids: only root can honour a mount's `owner` that is not the caller (mount-owner.ts). */
  uid: number;
  gid: number;
}

/** Where a writable directory/file mount's contents live on the host while the exec runs, to read back after. */
export interface MountPlace {
  readonly spec: Extract<MountSpec, { kind: "dir" | "file" }>;
  /** The directory holding the mount (dir), or the file itself (file). */
  readonly hostPath: string;
  /** Stamps of the files written for a directory mount, so unchanged files need no hashing when read back. */
  readonly stamps: Map<string, FileStamp>;
}

export interface PreparedMounts {
  /** bwrap arguments that show the mounts; empty in plain mode. */
  readonly bwrapArgs: string[];
  /** Writable directory and file mounts, in the order of the specs. */
  readonly places: MountPlace[];
  /** Undo: unlock caches, delete secrets. Never throws. */
  release(): Promise<void>;
}

/** Make every mount's source on the host; parents before children so nested mounts land inside their parent. */
export async function prepareMounts(
  mounts: readonly MountSpec[],
  ctx: MountContext,
): Promise<PreparedMounts> {
  const ordered = [...mounts].sort((a, b) => depth(a.target) - depth(b.target));
  const bwrapArgs: string[] = [];
  const placed = new Map<MountSpec, MountPlace>();
  const undo: (() => Promise<void>)[] = [];
  const release = async (): Promise<void> => {
    for (const u of undo.reverse()) await u().catch(() => undefined);
  };
  try {
    for (const [i, m] of ordered.entries()) {
      const target = "/" + treePathOf(m.target);
      const stamps = new Map<string, FileStamp>();
      const owner = ownable(m) ? await mountOwnerIds(m, ctx) : undefined;
      if (ctx.mode === "plain" && m.kind !== "cache") {
        const dest = path.join(ctx.upper, target);
        await placeInUpper(m, undefined, dest, { ...ctx, stamps }, undo);
        if (owner) await chownTree(dest, owner);
        if (mountHasOutput(m)) placed.set(m, { spec: m, hostPath: dest, stamps });
        continue;
      }
      const scratch = path.join(ctx.scratch, String(i));
      const source = await prepareSource(m, scratch, { ...ctx, stamps, owner }, undo);
      if (ctx.mode === "plain")
        await placeInUpper(m, source, path.join(ctx.upper, target), ctx, undo);
      else bwrapArgs.push(...bindArgs(m, source, target));
      if (mountHasOutput(m) && source) placed.set(m, { spec: m, hostPath: source, stamps });
    }
  } catch (e) {
    await release();
    throw e;
  }
  const places = mounts.flatMap((m) => placed.get(m) ?? []);
  return { bwrapArgs, places, release };
}

/** The host path holding the mount's contents, outside the upper (undefined for tmp, which has none). */
async function prepareSource(
  m: MountSpec,
  dir: string,
  ctx: MountContext & { stamps?: Map<string, FileStamp>; owner?: Ids },
  undo: (() => Promise<void>)[],
): Promise<string | undefined> {
  switch (m.kind) {
    case "cache": {
      const lease = await ctx.caches.acquire({
        ...m,
        owner: ctx.owner,
        signal: ctx.signal,
        newTempDir: ctx.newTempDir,
      });
      undo.push(() => lease.release());
      return lease.dir;
    }
    case "dir":
      await materializeTree(m.tree, ctx.store, dir, { signal: ctx.signal, stamps: ctx.stamps });
      if (ctx.owner) await chownTree(dir, ctx.owner);
      return dir;
    case "file":
      await materializeTree({ entries: { f: m.entry } }, ctx.store, dir);
      if (ctx.owner) await chownTree(path.join(dir, "f"), ctx.owner);
      return path.join(dir, "f");
    case "secret": {
      await mkdir(dir, { mode: 0o700 });
      const file = path.join(dir, "secret");
      undo.push(() => rm(file, { force: true }));
      await writeSecret(file, m.value, m.mode);
      // m.owner is not applied: on the host the process runs as the caller, who owns the file (host-runtime.md)
      return file;
    }
    case "tmp":
      return undefined;
  }
}

/** bwrap arguments showing one mount at `target`. */
function bindArgs(m: MountSpec, source: string | undefined, target: string): string[] {
  if (m.kind === "tmp") return [...(m.size ? ["--size", String(m.size)] : []), "--tmpfs", target];
  const readOnly =
    m.kind === "secret" || ((m.kind === "dir" || m.kind === "file") && m.readOnly === true);
  return [readOnly ? "--ro-bind" : "--bind", source as string, target];
}

/** Without a sandbox, a mount is put at its place inside the upper: a link to a cache, a copy of anything else. */
async function placeInUpper(
  m: MountSpec,
  source: string | undefined,
  dest: string,
  ctx: MountContext & { stamps?: Map<string, FileStamp> },
  undo: (() => Promise<void>)[],
): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  await rm(dest, { recursive: true, force: true });
  if (m.kind === "cache") await symlink(source as string, dest);
  else if (m.kind === "tmp") await mkdir(dest);
  else if (m.kind === "dir")
    await materializeTree(m.tree, ctx.store, dest, { signal: ctx.signal, stamps: ctx.stamps });
  else if (m.kind === "file")
    await materializeTree(
      { entries: { [path.basename(dest)]: m.entry } },
      ctx.store,
      path.dirname(dest),
    );
  else {
    undo.push(() => rm(dest, { force: true }));
    await writeSecret(dest, m.value, m.mode);
  }
}

/** Created unreadable to others from the first byte, then given the exact mode asked for (umask would trim it). */
async function writeSecret(file: string, value: string, mode: number): Promise<void> {
  await writeFile(file, value, { mode: 0o600 });
  await chmod(file, mode & 0o7777 || 0o400);
}

/** The mounts that take an `owner` here; a secret's stays the caller's (docs/design-notes/host-runtime.md). */
function ownable(m: MountSpec): m is Extract<MountSpec, { kind: "dir" | "file" | "cache" }> {
  return m.kind === "dir" || m.kind === "file" || m.kind === "cache";
}

/** Path depth, to order mounts parent-first. */
function depth(target: string): number {
  const p = treePathOf(target);
  return p === "" ? 0 : p.split("/").length;
}
