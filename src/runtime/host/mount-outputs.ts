// After a host exec, each writable directory/file mount is read back from where it lived: Dagger's mount outputs.
import { lstat } from "node:fs/promises";
import { createReadStream } from "node:fs";
import type { MountOutput, MountSpec } from "../runtime.js";
import type { ContentStore } from "../../store/content-store.js";
import { NotFoundError } from "../../errors.js";
import { nestedTargets, settleMountOutput } from "../mount-output.js";
import type { MountPlace } from "./exec-mounts.js";
import { scanUpper } from "./scan-upper.js";

/** Read every place back; files the exec did not touch keep their digest unhashed (their stamps prove it). */
export async function readMountOutputs(
  places: readonly MountPlace[],
  specs: readonly MountSpec[],
  store: ContentStore,
  trustBeforeNs: bigint,
): Promise<MountOutput[]> {
  const out: MountOutput[] = [];
  for (const { spec, hostPath, stamps } of places) {
    const st = await lstat(hostPath).catch(() => undefined);
    if (spec.kind === "file") {
      if (!st?.isFile())
        throw new NotFoundError(`the mounted file ${spec.target} was gone after the exec`);
      const { digest, size } = await store.putStream(createReadStream(hostPath));
      out.push({
        kind: "file",
        target: spec.target,
        entry: { type: "file", mode: st.mode & 0o7777, digest, size },
      });
      continue;
    }
    if (!st?.isDirectory())
      throw new NotFoundError(`the mounted directory ${spec.target} was gone after the exec`, {
        hint: "a command that removes its own mount point loses the mount's contents",
      });
    const nested = nestedTargets(spec.target, specs);
    const skip = new Set(nested);
    const tree = await scanUpper(hostPath, store, {
      before: spec.tree,
      stamps,
      trustBeforeNs,
      skip: (p) => skip.has(p),
    });
    out.push({
      kind: "dir",
      target: spec.target,
      tree: settleMountOutput(tree, spec.tree, nested),
    });
  }
  return out;
}
