// HTTP/2 over the Docker socket: dockerd upgrades `POST /grpc` (BuildKit's control API, we are the client) and
// `POST /session` (a BuildKit session, the engine is the client) to h2c. gRPC's framing for both.
import http from "node:http";
import type { Duplex } from "node:stream";
import type Dockerode from "dockerode";

/** POST `path` with `Upgrade: h2c` (and `headers`); the raw connection once the engine answered 101. */
export async function upgradeH2c(
  docker: Dockerode,
  path: string,
  headers: Record<string, string | string[]>,
  refused: (status: number | undefined, body: string) => Error,
  failed: (err: Error) => Error,
): Promise<Duplex> {
  const modem = docker.modem as unknown as {
    socketPath?: string | (() => Promise<string>);
    host?: string;
    port?: number;
  };
  // docker-modem left to find the socket itself holds a function that does
  const socketPath =
    typeof modem.socketPath === "function" ? await modem.socketPath() : modem.socketPath;
  return new Promise((resolve, reject) => {
    const req = http.request({
      ...(socketPath ? { socketPath } : { host: modem.host, port: modem.port }),
      method: "POST",
      path,
      headers: { Connection: "Upgrade", Upgrade: "h2c", ...headers },
    });
    req.on("upgrade", (_res, socket, head) => {
      // http2 must see the bytes the engine sent right after its 101 too
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => reject(refused(res.statusCode, body.trim())));
    });
    req.on("error", (err) => reject(failed(err)));
    req.end();
  });
}

/** A gRPC length-prefixed message: a "compressed" flag byte, a 4-byte big-endian length, the message. */
export function frame(msg: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

/** Split a byte stream into gRPC messages; each whole one goes to `onMessage`. */
export function deframer(onMessage: (msg: Buffer) => void): (chunk: Buffer) => void {
  let acc: Buffer = Buffer.alloc(0);
  return (chunk) => {
    acc = acc.length > 0 ? Buffer.concat([acc, chunk]) : chunk;
    while (acc.length >= 5 && acc.length >= 5 + acc.readUInt32BE(1)) {
      if (acc[0] !== 0) throw new Error("compressed gRPC messages are not supported");
      const n = acc.readUInt32BE(1);
      onMessage(acc.subarray(5, 5 + n));
      acc = acc.subarray(5 + n);
    }
  };
}
