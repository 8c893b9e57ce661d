// A source tree copied in before an exec becomes an image once per run, so parallel steps over the same source share
// one upload and commit only their own changes (as BuildKit's COPY makes one snapshot that every RUN builds on).
import type { FsOp } from "../../runtime.js";
import { digestOf } from "../../../store/digest.js";
import { treeDigest } from "../../../store/tree.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { applyOpsToImage } from "./apply-ops.js";

type PutOp = Exclude<FsOp, { op: "rm" }>;

/**
 * Puts with at least this many entries are baked into a shared image; smaller ones (a config file) ride along with
 * the exec's own container, where one more container and commit would cost more than the upload.
 */
export const SHARE_FROM_ENTRIES = 32;

export class SharedLayers {
  private readonly layers = new Map<string, Promise<string>>();

  constructor(private readonly ctx: DockerRunContext) {}

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
      image = applyOpsToImage(this.ctx, base, ops, signal);
      this.layers.set(key, image);
      // a failed or cancelled bake is not remembered: the next exec tries again (and fails with its own error)
      image.catch(() => this.layers.delete(key));
    }
    return image;
  }
}

// What makes two puts the same: where, what (by content digest) and whose.
function opKey(op: PutOp): unknown {
  return op.op === "put"
    ? ["put", op.path, treeDigest(op.tree), op.owner ?? ""]
    : ["putFile", op.path, op.entry.digest, op.entry.mode, op.owner ?? ""];
}
