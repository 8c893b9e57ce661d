// gRPC over h2c on the Docker socket: dockerd's BuildKit control API (POST /grpc) and Solve with Status.
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import http from "node:http";
import http2 from "node:http2";
import { EMPTY, all, decode, map, millis, msg, one, str } from "./protobuf.mjs";

const SOCKET = process.env.DOCKER_SOCKET ?? "/var/run/docker.sock";

// A gRPC length-prefixed message: a "compressed" flag byte, a 4-byte big-endian length, the bytes.
export const frame = (m) => {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(m.length, 1);
  return Buffer.concat([h, m]);
};
// Split a byte stream into gRPC length-prefixed messages.
export function deframer(onMessage) {
  let acc = EMPTY;
  return (chunk) => {
    acc = acc.length ? Buffer.concat([acc, chunk]) : chunk;
    while (acc.length >= 5 && acc.length >= 5 + acc.readUInt32BE(1)) {
      const n = acc.readUInt32BE(1);
      onMessage(acc.subarray(5, 5 + n));
      acc = acc.subarray(5 + n);
    }
  };
}

// POST <path> with Upgrade: h2c; dockerd answers 101 and the socket becomes HTTP/2.
export function upgrade(pathname, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath: SOCKET,
      method: "POST",
      path: pathname,
      headers: { Connection: "Upgrade", Upgrade: "h2c", ...headers },
    });
    req.on("upgrade", (_res, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.on("response", (res) => {
      let b = "";
      res.on("data", (d) => (b += d));
      res.on("end", () => reject(new Error(`${pathname}: HTTP ${res.statusCode} ${b}`)));
    });
    req.on("error", reject);
    req.end();
  });
}

// The control API client: one HTTP/2 connection that Solve and Status share.
export async function control() {
  const socket = await upgrade("/grpc");
  return http2.connect("http://docker", { createConnection: () => socket });
}

// One Control call (unary or server-streaming): every response message goes to onMessage.
export function call(client, method, body, onMessage = () => {}) {
  return new Promise((resolve, reject) => {
    const req = client.request({
      ":method": "POST",
      ":path": `/moby.buildkit.v1.Control/${method}`,
      "content-type": "application/grpc",
      te: "trailers",
    });
    let status;
    let message = "";
    const take = (h) => {
      if (h["grpc-status"] === undefined) return;
      status = Number(h["grpc-status"]);
      message = decodeURIComponent(String(h["grpc-message"] ?? ""));
    };
    req.on("response", take);
    req.on("trailers", take);
    req.on("data", deframer(onMessage));
    req.on("error", reject);
    req.on("close", () => resolve({ status: status ?? -1, message }));
    req.end(frame(body));
  });
}

// Solve a definition with Status streamed alongside; returns per-vertex name/cached/timing/error/stdout/stderr.
export async function solve(def, { session, exporter, exporterAttrs } = {}) {
  const client = await control();
  const ref = `gantry-spike-${randomBytes(8).toString("hex")}`;
  const vx = new Map();
  const get = (d) => vx.get(d) ?? vx.set(d, { stdout: [], stderr: [] }).get(d);
  const status = call(client, "Status", str(1, ref), (m) => {
    const f = decode(m);
    for (const v of all(f, 1)) {
      const g = decode(v);
      const e = get(String(one(g, 1)));
      e.name = String(one(g, 3) ?? e.name);
      e.cached ||= Boolean(one(g, 4));
      e.started ??= millis(one(g, 5));
      e.completed = millis(one(g, 6)) ?? e.completed;
      if (one(g, 7)) e.error = String(one(g, 7));
    }
    for (const l of all(f, 3)) {
      const g = decode(l);
      const e = get(String(one(g, 1)));
      (Number(one(g, 3) ?? 1n) === 2 ? e.stderr : e.stdout).push(one(g, 4) ?? EMPTY);
    }
  });
  const req = Buffer.concat([
    str(1, ref),
    msg(2, def),
    str(3, exporter),
    map(4, exporterAttrs),
    str(5, session),
  ]);
  const exporterResponse = {};
  const res = await call(client, "Solve", req, (m) => {
    for (const e of all(decode(m), 1))
      exporterResponse[String(one(decode(e), 1))] = String(one(decode(e), 2) ?? "");
  });
  await status;
  client.close();
  for (const e of vx.values()) {
    e.stdout = Buffer.concat(e.stdout).toString();
    e.stderr = Buffer.concat(e.stderr).toString();
  }
  return { ...res, vx, exporterResponse };
}
