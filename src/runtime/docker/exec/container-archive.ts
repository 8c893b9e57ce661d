// Small reads through the archive endpoint of a created (never started) container.
import type Dockerode from "dockerode";
import type { IncomingMessage } from "node:http";
import tar from "tar-stream";
import { isNotFound } from "../connection/docker-errors.js";

/** What the engine says about a path (the X-Docker-Container-Path-Stat header). */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode: permission bits plus type bits (dir 1<<31, symlink 1<<27). */
  mode: number;
  /** For a symlink, the absolute path it resolves to inside the container. */
  linkTarget: string;
}

const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;

// The archive of `path` with the engine's stat of it, or undefined when the path does not exist.
export async function getArchive(
  container: Dockerode.Container,
  path: string,
  signal?: AbortSignal,
): Promise<{ stream: IncomingMessage; stat: PathStat | undefined } | undefined> {
  try {
    const stream = (await container.getArchive({ path, abortSignal: signal })) as IncomingMessage;
    return { stream, stat: parseStat(stream.headers["x-docker-container-path-stat"]) };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

// Whether a path exists (HEAD on the archive endpoint), with its stat.
export async function statPath(
  container: Dockerode.Container,
  path: string,
): Promise<PathStat | undefined> {
  try {
    const res = (await container.infoArchive({ path })) as IncomingMessage;
    res.resume();
    return parseStat(res.headers["x-docker-container-path-stat"]) ?? undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

// Read one small file whole (e.g. /etc/passwd), or undefined when it is missing.
export async function readSmallFile(
  container: Dockerode.Container,
  path: string,
): Promise<Buffer | undefined> {
  const archive = await getArchive(container, path);
  if (!archive) return undefined;
  return Object.values(await tarFiles(archive.stream))[0];
}

/** The regular files of a small tar, in memory, by name (the first of a name); other entries are skipped. */
export async function tarFiles(stream: NodeJS.ReadableStream): Promise<Record<string, Buffer>> {
  const extract = tar.extract();
  stream.pipe(extract);
  const files: Record<string, Buffer> = {};
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === "file" && !(entry.header.name in files))
      files[entry.header.name] = Buffer.concat(chunks);
  }
  return files;
}

// Go's FileMode sets its top bit for directories.
export function isDirStat(stat: PathStat): boolean {
  return (stat.mode & GO_MODE_DIR) !== 0;
}

// A symlink the engine could resolve (linkTarget is where it leads, absolute).
export function isSymlinkStat(stat: PathStat): boolean {
  return (stat.mode & GO_MODE_SYMLINK) !== 0 && stat.linkTarget !== "";
}

// The stat header is base64 JSON.
function parseStat(header: string | string[] | undefined): PathStat | undefined {
  if (typeof header !== "string") return undefined;
  try {
    return JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PathStat;
  } catch {
    return undefined;
  }
}
