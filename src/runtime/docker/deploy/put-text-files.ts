// Small text files (a proxy's config) go into a container as one tar through putArchive: no bind mount, so a
// remote engine works too, and a created-but-not-started container can be filled before it runs.
import type Dockerode from "dockerode";
import tar from "tar-stream";
import { UnsupportedError } from "../../../errors.js";
import { engineMessage } from "../connection/docker-errors.js";

// One archive at "/", each file under its absolute path (parents created by the engine), mode 0644, owned by root.
export async function putTextFiles(
  container: Dockerode.Container,
  files: { path: string; contents: string }[],
): Promise<void> {
  if (files.length === 0) return;
  const pack = tar.pack();
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.replace(/^\/+/, "").split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  for (const d of [...dirs].sort())
    pack.entry({ name: d, type: "directory", mode: 0o755, uid: 0, gid: 0 });
  for (const f of files) {
    pack.entry(
      { name: f.path.replace(/^\/+/, ""), mode: 0o644, uid: 0, gid: 0 },
      Buffer.from(f.contents, "utf8"),
    );
  }
  pack.finalize();
  try {
    await container.putArchive(pack as unknown as NodeJS.ReadableStream, { path: "/" });
  } catch (err) {
    throw new UnsupportedError(
      `could not write ${files.map((f) => f.path).join(", ")} into container ${container.id}: ${engineMessage(err)}`,
      { cause: err },
    );
  }
}
