// The BuildKit session of one exec's solve: dockerd calls back over POST /session for the exec's source trees
// (FileSync/DiffCopy, fsutil's protocol, sent from Gantry's content store without writing them out) and for the tar
// the exporter streams back (FileSend/DiffCopy).
import { createHash, randomBytes } from "node:crypto";
import http2 from "node:http2";
import type Dockerode from "dockerode";
import type { ContentStore } from "../../../store/content-store.js";
import type { Tree, TreeEntry } from "../../../store/tree.js";
import { PACK_MTIME } from "../../../store/tree-tar.js";
import { decodeFields, type PbField } from "../images/protobuf-lite.js";
import { deframer, frame, upgradeH2c } from "./h2c.js";
import { bytes, msg, num, str } from "./pb-write.js";

const FILE_SYNC = "/moby.filesync.v1.FileSync/DiffCopy";
const FILE_SEND = "/moby.filesync.v1.FileSend/DiffCopy";
const HEALTH = "/grpc.health.v1.Health/Check";

// fsutil's Packet types
const PACKET_REQ = 1;
const PACKET_DATA = 2;
const PACKET_FIN = 3;
const PACKET_ERR = 4;

const CHUNK = 32 * 1024;
/** Gantry's fixed file time (tree-tar.ts), in ns. */
export const MTIME_NS = BigInt(PACK_MTIME.getTime()) * 1_000_000n;

/** Where a session reads the files it sends: the content store, or anything else with its `readBlob`. */
export type BlobSource = Pick<ContentStore, "readBlob">;

export interface ExecSession {
  id: string;
  /** The bytes the tar exporter sent, once it has finished. */
  exported(): Promise<Buffer>;
  close(): void;
}

/** Open a session serving `sources` (name → tree) and taking one exported tar. */
export async function openExecSession(
  docker: Dockerode,
  store: BlobSource,
  sources: ReadonlyMap<string, Tree>,
  sharedKey: string,
): Promise<ExecSession> {
  const id = randomBytes(16).toString("hex");
  const socket = await upgradeH2c(
    docker,
    "/session",
    {
      "X-Docker-Expose-Session-Uuid": id,
      "X-Docker-Expose-Session-Name": "gantry",
      "X-Docker-Expose-Session-Sharedkey": sharedKey,
      "X-Docker-Expose-Session-Grpc-Method": [FILE_SYNC, FILE_SEND, HEALTH],
    },
    (status, body) => new Error(`the engine refused a BuildKit session (HTTP ${status}): ${body}`),
    (err) => new Error(`could not open a BuildKit session: ${err.message}`, { cause: err }),
  );
  let settle!: { resolve: (b: Buffer) => void; reject: (e: Error) => void };
  const exported = new Promise<Buffer>((resolve, reject) => (settle = { resolve, reject }));
  exported.catch(() => undefined);
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    stream.on("error", () => undefined);
    stream.respond(
      { ":status": 200, "content-type": "application/grpc" },
      { waitForTrailers: true },
    );
    let status = 0;
    let message = "";
    stream.on("wantTrailers", () =>
      stream.sendTrailers({
        "grpc-status": String(status),
        ...(message ? { "grpc-message": encodeURIComponent(message) } : {}),
      }),
    );
    const path = String(headers[":path"]);
    if (path === HEALTH) return void stream.end(frame(num(1, 1))); // SERVING
    if (path === FILE_SEND) return receive(stream, settle);
    const tree = path === FILE_SYNC ? sources.get(String(headers["dir-name"])) : undefined;
    if (!tree) {
      status = 5; // NOT_FOUND
      message = `${path} ${String(headers["dir-name"] ?? "")} is not served by this session`;
      return void stream.end();
    }
    sendTree(stream, store, tree).catch((err: unknown) => {
      status = 13; // INTERNAL
      message = err instanceof Error ? err.message : String(err);
      if (!stream.closed) stream.end();
    });
  });
  server.on("sessionError", () => socket.destroy());
  server.emit("connection", socket);
  return {
    id,
    exported: () => exported,
    close: () => {
      settle.reject(new Error("the BuildKit session closed before the export arrived"));
      socket.destroy();
      server.close();
    },
  };
}

// The tar exporter's FileSend: BytesMessage{data=1} until the engine closes its side.
function receive(
  stream: http2.ServerHttp2Stream,
  settle: { resolve: (b: Buffer) => void; reject: (e: Error) => void },
): void {
  const chunks: Buffer[] = [];
  const take = deframer((m) => {
    for (const f of decodeFields(m))
      if (f.no === 1 && Buffer.isBuffer(f.value)) chunks.push(f.value);
  });
  stream.on("data", (chunk: Buffer) => {
    try {
      take(chunk);
    } catch (err) {
      settle.reject(err instanceof Error ? err : new Error(String(err)));
      stream.close();
    }
  });
  stream.on("end", () => {
    settle.resolve(Buffer.concat(chunks));
    stream.end();
  });
}

interface Walked {
  path: string;
  entry: TreeEntry;
}

// fsutil's sender: a STAT per entry in walk order and an empty STAT; DATA for each file the engine REQuests by its
// index among the STATs; FIN answered with FIN. Owners are root's, times one fixed instant (Gantry's trees have none).
async function sendTree(
  stream: http2.ServerHttp2Stream,
  store: BlobSource,
  tree: Tree,
): Promise<void> {
  const walked = walkOrder(tree);
  const send = (packet: Buffer) => stream.write(frame(packet));
  for (const { path, entry } of walked) send(msg(2, statOf(path, entry)));
  send(Buffer.alloc(0));
  let queue = Promise.resolve();
  await new Promise<void>((resolve, reject) => {
    stream.on("close", resolve);
    const take = deframer((m) => {
      const fields = decodeFields(m);
      const type = varintField(fields, 1);
      if (type === PACKET_REQ) {
        const id = varintField(fields, 3);
        queue = queue.then(() => sendFile(send, store, id, walked[id])).catch(reject);
      } else if (type === PACKET_FIN) {
        void queue.then(() => {
          send(num(1, PACKET_FIN));
          stream.end();
        });
      } else if (type === PACKET_ERR) {
        stream.end();
      }
    });
    stream.on("data", (chunk: Buffer) => {
      try {
        take(chunk);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

async function sendFile(
  send: (p: Buffer) => void,
  store: BlobSource,
  id: number,
  walked: Walked | undefined,
): Promise<void> {
  if (walked?.entry.type !== "file")
    throw new Error(`the engine asked for entry ${id}, which is no file`);
  const data = await store.readBlob(walked.entry.digest);
  for (let o = 0; o < data.length; o += CHUNK)
    send(Buffer.concat([num(1, PACKET_DATA), num(3, id), bytes(4, data.subarray(o, o + CHUNK))]));
  send(Buffer.concat([num(1, PACKET_DATA), num(3, id)]));
}

function varintField(fields: PbField[], no: number): number {
  const f = fields.find((x) => x.no === no);
  return typeof f?.value === "number" ? f.value : 0;
}

// Stat{path=1, mode=2 (Go's os.FileMode), uid=3, gid=4, size=5, modTime=6 (ns), linkname=7}.
function statOf(path: string, entry: TreeEntry): Buffer {
  if (entry.type === "dir")
    return Buffer.concat([str(1, path), num(2, 2 ** 31 + goPerm(entry.mode)), num(6, MTIME_NS)]);
  if (entry.type === "symlink")
    return Buffer.concat([
      str(1, path),
      num(2, 2 ** 27 + 0o777),
      num(6, contentTime(createHash("sha256").update(entry.target).digest("hex"))),
      str(7, entry.target),
    ]);
  return Buffer.concat([
    str(1, path),
    num(2, goPerm(entry.mode)),
    num(5, entry.size),
    num(6, contentTime(entry.digest.slice(7))),
  ]);
}

/**
 * The engine keeps its last copy of a source and asks only for entries whose stat changed (fsutil compares mode,
 * size and time, never contents), so a file's time must change with its contents: one fixed instant plus up to ~3
 * days taken from the content digest. The copy into the exec's root sets Gantry's fixed time on every file.
 */
function contentTime(hex: string): bigint {
  return MTIME_NS + BigInt(`0x${hex.slice(0, 12)}`);
}

// Unix setuid/setgid/sticky bits sit elsewhere in Go's FileMode.
function goPerm(mode: number): number {
  return (
    (mode & 0o777) +
    (mode & 0o4000 ? 2 ** 23 : 0) +
    (mode & 0o2000 ? 2 ** 22 : 0) +
    (mode & 0o1000 ? 2 ** 20 : 0)
  );
}

/** Entries as Go's filepath.Walk visits them: names in byte order within a directory, a directory before its contents. */
export function walkOrder(tree: Tree): Walked[] {
  const split = Object.keys(tree.entries).map((path) => ({ path, parts: path.split("/") }));
  split.sort((a, b) => {
    const n = Math.min(a.parts.length, b.parts.length);
    for (let i = 0; i < n; i++) {
      const x = a.parts[i] as string;
      const y = b.parts[i] as string;
      if (x !== y) return Buffer.compare(Buffer.from(x), Buffer.from(y));
    }
    return a.parts.length - b.parts.length;
  });
  return split.map(({ path }) => ({ path, entry: tree.entries[path] as TreeEntry }));
}
