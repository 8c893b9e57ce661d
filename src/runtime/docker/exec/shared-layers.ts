// A source tree copied in before an exec becomes an image once per run, so parallel steps over the same source share
// one upload and commit only their own changes (as BuildKit's COPY makes one snapshot that every RUN builds on).
import type Dockerode from "dockerode";
import type { FsOp } from "../../runtime.js";
import { CancelledError, ImageError } from "../../../errors.js";
import { digestOf } from "../../../store/digest.js";
import { treeDigest } from "../../../store/tree.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { debugNote } from "../debug-note.js";
import { applyOpsToImage } from "./apply-ops.js";
import { statPath } from "./container-archive.js";
import { engineLoadsLayers, loadableTargets, loadPutsAsLayer } from "./layer-load.js";

type PutOp = Exclude<FsOp, { op: "rm" }>;

/**
 * Puts with at least this many entries are baked into a shared image; smaller ones (a config file) ride along with
 * the exec's own container, where one more container and commit would cost more than the upload.
 */
export const SHARE_FROM_ENTRIES = 32;

export interface SharedLayersOptions {
  /** "commit": always put and commit, never load a layer (tests compare the two ways). */
  bake?: "commit";
}

export class SharedLayers {
  private readonly layers = new Map<string, Promise<string>>();
  /** Whether layers may be loaded: the engine's image store takes them (asked once, beside the first exec), and
   * none was refused yet. */
  private loads: Promise<boolean>;

  constructor(
    private readonly ctx: DockerRunContext,
    opts: SharedLayersOptions = {},
  ) {
    this.loads =
      opts.bake === "commit"
        ? Promise.resolve(false)
        : engineLoadsLayers(ctx.docker).catch(() => false);
  }

  // Whether the puts are big enough to be worth an image of their own.
  static worthSharing(ops: readonly PutOp[]): boolean {
    let entries = 0;
    for (const op of ops) entries += op.op === "put" ? Object.keys(op.tree.entries).length : 1;
    return entries >= SHARE_FROM_ENTRIES;
  }

  // The image of `base` with the puts applied: made by the first exec that needs it, awaited by the others.
  layer(base: string, ops: readonly PutOp[], signal: AbortSignal): Promise<string> {
    const key = digestOf({ base, ops: ops.map(opKey) });
    let image = this.layers.get(key);
    if (!image) {
      image = applyOpsToImage(this.ctx, base, ops, signal, (container, from, puts) =>
        this.loaded(container, from, puts, signal),
      );
      this.layers.set(key, image);
      // a failed or cancelled bake is not remembered: the next exec tries again (and fails with its own error)
      image.catch(() => this.layers.delete(key));
    }
    return image;
  }

  // The puts as a layer loaded over `image` where that gives the same files (layer-load.ts), else undefined.
  private async loaded(
    container: Dockerode.Container,
    image: string,
    puts: readonly PutOp[],
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const loadable = loadableTargets(puts);
    if (!loadable || !(await this.loads)) return undefined;
    for (const dir of loadable.dirs) if (await statPath(container, `/${dir}`)) return undefined;
    try {
      return await loadPutsAsLayer(this.ctx, image, loadable.puts, signal);
    } catch (err) {
      if (signal.aborted || err instanceof CancelledError) throw err;
      // the engine refusing the archive: not again this run; anything else (the spool's disk full): this one put
      const refused = err instanceof ImageError;
      if (refused) this.loads = Promise.resolve(false);
      debugNote(
        `${refused ? "source layers are put and committed from now on" : "a source layer is put and committed"}: ` +
          `loading it failed (${err instanceof Error ? err.message : String(err)})`,
      );
      return undefined;
    }
  }
}

// What makes two puts the same: where, what (by content digest) and whose.
function opKey(op: PutOp): unknown {
  return op.op === "put"
    ? ["put", op.path, treeDigest(op.tree), op.owner ?? ""]
    : ["putFile", op.path, op.entry.digest, op.entry.mode, op.owner ?? ""];
}
