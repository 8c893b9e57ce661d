// Container.asTarball: the container as a docker-archive File in the content store, made once per content and config.
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { ContainerState } from "../nodes.js";
import type { Session } from "../session.js";
import type { FileEntry } from "../../store/tree.js";
import { digestOf } from "../../store/digest.js";
import {
  containerSnapshot,
  fsDigest,
  materializeOps,
  resolveConfig,
} from "../evaluate/container.js";
import { startStep, timedStep } from "../evaluate/steps.js";

interface TarballRecord {
  digest: string;
  size: number;
}

const NAME = "image.tar";

// Export to a temp file through the runtime, then keep the bytes in the store; a blob from an earlier run is reused.
export async function containerTarball(
  s: Session,
  state: ContainerState,
): Promise<{ entry: FileEntry; name: string }> {
  // Keyed by content digests, not the snapshot: a snapshot id made by file ops differs from run to run.
  const [base, config, { digests }] = await Promise.all([
    fsDigest(s, state.fs, state.registryAuth),
    resolveConfig(s, state),
    materializeOps(s, state),
  ]);
  const ops = digests.map((d) => d.digest);
  const key = digestOf({ tarball: base, ops, runtime: s.runtime.name, config });
  const rec = (await s.flights.run(`tarball:${key}`, async () => {
    const known = await s.store.getRecord<TarballRecord>("tarball", key);
    if (known && (await s.store.hasBlob(known.digest))) {
      startStep(s, { name: "asTarball", kind: "export", digest: key }).end("cached");
      return known;
    }
    const made = await timedStep(s, { name: "asTarball", kind: "export" }, async () => {
      const tmp = `${s.store.tmpPath()}.tar`;
      try {
        const snapshot = await containerSnapshot(s, state);
        await s.runtime.exportImage(snapshot, config, tmp, s.signal);
        return await s.store.putStream(createReadStream(tmp));
      } finally {
        await rm(tmp, { force: true });
      }
    });
    await s.store.putRecord("tarball", key, made);
    return made;
  })) as TarballRecord;
  return { entry: { type: "file", mode: 0o644, digest: rec.digest, size: rec.size }, name: NAME };
}
