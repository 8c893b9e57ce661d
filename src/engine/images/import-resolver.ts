// Container.import: load a tarball into the runtime once; its image id is the content digest later steps key on.
import type { Session } from "../session.js";
import type { ExternalImageResult } from "../session-parts.js";
import type { ImageConfig, Snapshot } from "../../runtime/runtime.js";
import { evaluateFile } from "../evaluate/directory.js";
import { startStep, timedStep } from "../evaluate/steps.js";
import type { ImportPayload } from "./image-payloads.js";
import { requireImageRuntime } from "./image-runtime.js";

interface ImportRecord {
  snapshot: Snapshot;
  config: ImageConfig;
}

// Registered as the "import" external resolver; a tarball loaded by an earlier run is reused while its image exists.
export async function resolveImport(s: Session, payload: unknown): Promise<ExternalImageResult> {
  const { tarball } = payload as ImportPayload;
  const images = requireImageRuntime(s, "image imports (Container.import)");
  const file = await evaluateFile(s, tarball);
  const key = file.entry.digest;
  const name = `import ${file.name}`;
  const rec = (await s.flights.run(`import:${key}`, async () => {
    const known = await s.store.getRecord<ImportRecord>("import", key);
    if (known && (await s.runtime.hasSnapshot(known.snapshot))) {
      startStep(s, { name, kind: "pull", digest: key }).end("cached");
      return known;
    }
    const loaded = await timedStep(s, { name, kind: "pull" }, () =>
      images.load(file.entry, s.signal),
    );
    s.snapshotsMade.push(loaded.id); // the size limit's estimate counts the loaded image
    const made: ImportRecord = { snapshot: loaded.id, config: loaded.config };
    await s.store.putRecord("import", key, made);
    return made;
  })) as ImportRecord;
  return { snapshot: rec.snapshot, digest: rec.snapshot, config: rec.config };
}
