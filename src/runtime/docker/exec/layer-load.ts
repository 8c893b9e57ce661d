// A big put baked as a layer loaded over its base (`POST /images/load`): the engine writes the files once, where a
// container's put and commit write them twice and removing that container deletes a copy (performance.md Decision 20).
// Only where both ways give the same files; everything else stays put + commit.
import type Dockerode from "dockerode";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { PassThrough, Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import type { FsOp } from "../../runtime.js";
import { normalizeTreePath, type Tree, type TreeEntry } from "../../../store/tree.js";
import { packTree, PACK_MTIME } from "../../../store/tree-tar.js";
import { LABELS } from "../cleanup/labels.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { loadArchive } from "../images/image-load.js";
import { NEVER_STARTED_CMD } from "./containers.js";
import { underRoot } from "./put-archive.js";

type PutOp = Exclude<FsOp, { op: "rm" }>;
/** A tree put: the only kind a layer is loaded for. */
export type TreePut = Extract<FsOp, { op: "put" }>;

/**
 * The top-level directories these puts create, when a loaded layer gives exactly what a container's puts and commit
 * would: trees put as root's, each at its own path right under `/`, not itself named as a layer marks a deletion
 * (`/.wh.etc` would hide `/etc`). The caller must also find every target missing from the base: a layer's directory
 * there would replace an existing one's owner and mode, and a symlink with it, where a put merges into them. Entries
 * named `.wh.…` inside a new folder can delete nothing below it; any docker layer loses them, a commit's too.
 */
export function loadableTargets(
  ops: readonly PutOp[],
): { dirs: string[]; puts: TreePut[] } | undefined {
  const dirs: string[] = [];
  const puts: TreePut[] = [];
  for (const op of ops) {
    if (op.op !== "put" || op.owner !== undefined) return undefined;
    const dir = normalizeTreePath(op.path);
    if (dir === "" || dir.includes("/") || dirs.includes(dir) || isWhiteout(dir)) return undefined;
    dirs.push(dir);
    puts.push(op);
  }
  return dirs.length > 0 ? { dirs, puts } : undefined;
}

function isWhiteout(name: string): boolean {
  return name.startsWith(".wh.");
}

/** Docker's graph drivers: their image store loads a layer over base layers it holds without their tars. */
const GRAPH_DRIVERS = new Set(["overlay2", "fuse-overlayfs", "btrfs", "zfs", "vfs", "aufs"]);

/**
 * Whether the engine loads a layer over base layers left out of the archive: Docker's own image store does (it skips
 * a layer whose chain it holds); containerd's image store (Docker's default on new installs from 29) and Podman want
 * every layer's tar, and would refuse only after taking in the whole archive.
 */
export async function engineLoadsLayers(docker: Dockerode): Promise<boolean> {
  const info = (await docker.info()) as { Driver?: string; DriverStatus?: [string, string][] };
  const containerd = (info.DriverStatus ?? []).some(
    ([key, value]) => key === "driver-type" && value.includes("containerd"),
  );
  return GRAPH_DRIVERS.has(info.Driver ?? "") && !containerd;
}

/**
 * Load the puts (checked by loadableTargets, targets missing from `base`) as one layer over `base`; returns the new
 * image's id, or undefined where the base's history cannot be carried over (then put and commit). The image has no
 * parent in the engine's eyes, so it carries `gantry.size-over: " <base id>"` and is measured over its base as a
 * commit would be.
 */
export async function loadPutsAsLayer(
  ctx: DockerRunContext,
  base: string,
  puts: readonly TreePut[],
  signal: AbortSignal,
): Promise<string | undefined> {
  const image = ctx.docker.getImage(base);
  const [info, entries] = await Promise.all([
    image.inspect(),
    image.history() as Promise<HistoryEntry[]>,
  ]);
  const baseLayers = info.RootFS?.Layers ?? [];
  const history = configHistory(entries, baseLayers.length);
  if (!history) return undefined;
  // in the state dir, beside the blobs it is made of, not a temp dir that may be a small tmpfs
  const spool = ctx.store.tmpPath();
  let archive: Readable | undefined;
  try {
    const layer = await spoolLayer(ctx, puts, spool, signal);
    const diffIds = [...baseLayers, layer.diffId];
    const config = Buffer.from(JSON.stringify(imageConfig(ctx, info, history, diffIds)));
    archive = imageArchive(spool, layer.size, config, baseLayers.length);
    return await loadArchive(ctx, archive, `the source layer over ${base}`, signal);
  } finally {
    archive?.destroy();
    await rm(spool, { force: true });
  }
}

/** One entry of `GET /images/{id}/history` (newest first). */
interface HistoryEntry {
  Created: number;
  CreatedBy?: string;
  Comment?: string;
  Size: number;
}

/**
 * The base's history as an image config holds it (oldest first, an entry that made no layer marked so), plus the
 * entry a commit would add; undefined when the API's answer cannot say which entries made the base's layers (it gives
 * sizes only, and a layer that added nothing has size 0 too) — `docker history` pairs entries with layers by that mark.
 */
function configHistory(
  entries: readonly HistoryEntry[],
  layers: number,
): Record<string, unknown>[] | undefined {
  const oldestFirst = [...entries].reverse();
  if (oldestFirst.filter((e) => e.Size > 0).length !== layers) return undefined;
  return [
    ...oldestFirst.map((e) => ({
      created: new Date(e.Created * 1000).toISOString(),
      ...(e.CreatedBy ? { created_by: e.CreatedBy } : {}),
      ...(e.Comment ? { comment: e.Comment } : {}),
      ...(e.Size > 0 ? {} : { empty_layer: true }),
    })),
    {
      created: new Date().toISOString(),
      created_by: NEVER_STARTED_CMD.join(" "),
      comment: "gantry: file operations",
    },
  ];
}

// The layer's tar, written to `file` while its digest (the engine's diff id) is taken: the archive needs its size first.
async function spoolLayer(
  ctx: DockerRunContext,
  puts: readonly TreePut[],
  file: string,
  signal: AbortSignal,
): Promise<{ diffId: string; size: number }> {
  const entries: Record<string, TreeEntry> = {};
  for (const op of puts) {
    // as putTree makes a missing target
    Object.assign(entries, underRoot(op.tree, normalizeTreePath(op.path)).entries);
  }
  const tree: Tree = { entries };
  const hash = createHash("sha256");
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(packTree(tree, ctx.store, { uid: 0, gid: 0 }), count, createWriteStream(file), {
    signal,
  });
  return { diffId: `sha256:${hash.digest("hex")}`, size };
}

// The base's config with Gantry's labels, over the layers `diffIds` (the base's and the new one).
function imageConfig(
  ctx: DockerRunContext,
  info: Dockerode.ImageInspectInfo,
  history: Record<string, unknown>[],
  diffIds: string[],
): Record<string, unknown> {
  const baseConfig = (info.Config ?? {}) as unknown as Record<string, unknown>;
  const baseLabels = (baseConfig["Labels"] ?? {}) as Record<string, string>;
  const { Variant: variant } = info as { Variant?: string };
  return {
    architecture: info.Architecture,
    os: info.Os,
    ...(variant ? { variant } : {}),
    created: new Date().toISOString(),
    config: {
      ...baseConfig,
      Labels: {
        ...baseLabels,
        ...ctx.ownerLabels,
        [LABELS.managed]: "true",
        [LABELS.sizeOver]: ` ${info.Id}`,
      },
    },
    rootfs: { type: "layers", diff_ids: diffIds },
    history,
  };
}

// A docker-archive with the config, a manifest naming the base's layers (which the engine has, so never reads: it
// skips a layer whose chain it already holds) and the new layer's tar. Exported for its tests.
export function imageArchive(
  layerFile: string,
  layerSize: number,
  config: Buffer,
  baseLayers: number,
): Readable {
  const configName = `${createHash("sha256").update(config).digest("hex")}.json`;
  const layers = Array.from({ length: baseLayers }, (_, i) => `base-${i}/layer.tar`);
  const manifest = Buffer.from(
    JSON.stringify([{ Config: configName, RepoTags: null, Layers: [...layers, "layer.tar"] }]),
  );
  const pack = tar.pack();
  const out = new PassThrough();
  const layer = createReadStream(layerFile);
  const fail = (err: Error) => {
    out.destroy(err);
    pack.destroy();
    layer.destroy();
  };
  // a load that ends early (cancelled, refused) destroys `out`: the spool's file must close with it
  out.once("close", () => layer.destroy());
  pack.on("error", fail);
  pack.pipe(out);
  const header = (name: string, size: number) => ({ name, size, mode: 0o644, mtime: PACK_MTIME });
  pack.entry(header("manifest.json", manifest.length), manifest);
  pack.entry(header(configName, config.length), config);
  const sink = pack.entry(header("layer.tar", layerSize), (err) =>
    err ? fail(err) : pack.finalize(),
  );
  sink.on("error", fail);
  layer.on("error", fail);
  layer.pipe(sink);
  return out;
}
