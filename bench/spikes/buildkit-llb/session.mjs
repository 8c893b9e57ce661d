// The session dockerd calls back over POST /session: FileSync (local sources), FileSend (exporters), health.
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http2 from "node:http2";
import path from "node:path";
import { frame, deframer, upgrade } from "./control.mjs";
import { EMPTY, bytes, decode, msg, num, one, str } from "./protobuf.mjs";

const DIFF_COPY = "/moby.filesync.v1.FileSync/DiffCopy";
const FILE_SEND = "/moby.filesync.v1.FileSend/DiffCopy";
const HEALTH = "/grpc.health.v1.Health/Check";

// Open a session serving `dirs` (local name -> directory); `sharedKey` lets dockerd reuse its last copy of a dir.
export async function openSession(dirs, sharedKey) {
  const id = randomBytes(16).toString("hex");
  const socket = await upgrade("/session", {
    "X-Docker-Expose-Session-Uuid": id,
    "X-Docker-Expose-Session-Name": "gantry-spike",
    "X-Docker-Expose-Session-Sharedkey": sharedKey,
    "X-Docker-Expose-Session-Grpc-Method": [DIFF_COPY, FILE_SEND, HEALTH],
  });
  const stats = { files: 0, bytes: 0, exported: [] };
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    stream.on("error", () => undefined);
    stream.respond(
      { ":status": 200, "content-type": "application/grpc" },
      { waitForTrailers: true },
    );
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    const p = String(headers[":path"]);
    if (p === HEALTH) return stream.end(frame(num(1, 1)));
    if (p === DIFF_COPY) return sendDir(stream, dirs[String(headers["dir-name"])], stats);
    if (p === FILE_SEND) return receiveBytes(stream, stats);
    stream.end();
  });
  server.emit("connection", socket);
  return {
    id,
    stats,
    close() {
      socket.destroy();
      server.close();
    },
  };
}

// fsutil's sender: STAT packets in walk order (then an empty STAT), DATA for each file the receiver REQuests by
// index, FIN answered with FIN. Packet{type=1, stat=2, ID=3, data=4}; Stat{path=1, mode=2 (Go FileMode), uid=3,
// gid=4, size=5, modTime=6 (ns)}. uid/gid 0, as the docker CLI sends its build context.
function sendDir(stream, dir, stats) {
  const entries = walk(dir);
  const send = (p) => stream.write(frame(p));
  for (const e of entries)
    send(msg(2, str(1, e.rel), num(2, e.mode), num(5, e.size), num(6, e.mtime)));
  send(EMPTY);
  stream.on(
    "data",
    deframer((m) => {
      const f = decode(m);
      const type = Number(one(f, 1) ?? 0n);
      if (type === 1) {
        const id = Number(one(f, 3) ?? 0n);
        const data = fs.readFileSync(entries[id].abs);
        for (let o = 0; o < data.length; o += 32768)
          send(Buffer.concat([num(1, 2), num(3, id), bytes(4, data.subarray(o, o + 32768))]));
        send(Buffer.concat([num(1, 2), num(3, id)]));
        stats.files++;
        stats.bytes += data.length;
      } else if (type === 3) {
        send(num(1, 3));
        stream.end();
      } else if (type === 4) stream.end();
    }),
  );
}

// The tar/local exporters' FileSend: BytesMessage{data=1} chunks until the sender closes.
function receiveBytes(stream, stats) {
  const chunks = [];
  stream.on(
    "data",
    deframer((m) => chunks.push(one(decode(m), 1) ?? EMPTY)),
  );
  stream.on("end", () => {
    stats.exported.push(Buffer.concat(chunks));
    stream.end();
  });
}

// Entries in fsutil's walk order (lexical per directory, a directory before its children).
function walk(dir) {
  const out = [];
  const rec = (rel) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(dir, r);
      const st = fs.lstatSync(abs, { bigint: true });
      const isDir = st.isDirectory();
      out.push({
        rel: r,
        abs,
        mode: Number(st.mode & 0o777n) + (isDir ? 2 ** 31 : 0),
        size: st.isFile() ? st.size : 0n,
        mtime: st.mtimeNs,
      });
      if (isDir) rec(r);
    }
  };
  rec("");
  return out;
}

// Files of a tar (ustar headers; regular files only) as name -> content.
export function untar(buf) {
  const files = {};
  for (let o = 0; o + 512 <= buf.length;) {
    const name = buf
      .subarray(o, o + 100)
      .toString()
      .replace(/\0.*$/s, "");
    if (!name) break;
    const size = parseInt(
      buf
        .subarray(o + 124, o + 136)
        .toString()
        .replace(/\0.*$/s, "")
        .trim() || "0",
      8,
    );
    if (buf[o + 156] === 48 || buf[o + 156] === 0)
      files[name] = buf.subarray(o + 512, o + 512 + size).toString();
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
