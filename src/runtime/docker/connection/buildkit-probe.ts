// Does this engine serve BuildKit's control API? POST /grpc upgraded to h2c, then Control/ListWorkers: the way
// `docker buildx` talks to dockerd's embedded BuildKit, with no builder container.
import http2 from "node:http2";
import net from "node:net";
import { Duplex } from "node:stream";
import { decodeFields } from "../images/protobuf-lite.js";
import type { DockerEndpoint } from "./socket-discovery.js";

export type BuildkitProbe =
  { available: true; workers: number } | { available: false; reason: string };

// The upgraded connection as a JS stream: http2 must see the bytes the engine sent right after `101` too.
function asDuplex(sock: net.Socket, rest: Buffer): Duplex {
  const d = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      sock.write(chunk, cb);
    },
    final(cb) {
      sock.end();
      cb();
    },
  });
  if (rest.length) d.push(rest);
  sock.on("data", (c: Buffer) => d.push(c));
  sock.on("end", () => d.push(null));
  return d;
}

// `POST /grpc` with `Upgrade: h2c`; resolves with the socket once the engine answered 101.
function upgrade(
  endpoint: DockerEndpoint,
  timeoutMs: number,
): Promise<{ sock: net.Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const sock =
      endpoint.kind === "unix"
        ? net.connect(endpoint.socketPath)
        : net.connect(endpoint.port, endpoint.host);
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    sock.once("error", reject);
    sock.once("connect", () =>
      sock.write(
        "POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n",
      ),
    );
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      sock.off("data", onData);
      const status = head.subarray(0, head.indexOf("\r\n")).toString("latin1");
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        sock.destroy();
        reject(new Error(`the engine answered "${status}" instead of switching to h2c`));
        return;
      }
      sock.setTimeout(timeoutMs);
      resolve({ sock, rest: head.subarray(end + 4) });
    };
    sock.on("data", onData);
  });
}

/** Ask the engine's BuildKit for its workers; any failure is "not available", with the reason. */
export async function probeBuildkit(
  endpoint: DockerEndpoint,
  timeoutMs = 5000,
): Promise<BuildkitProbe> {
  let sock: net.Socket | undefined;
  try {
    const up = await upgrade(endpoint, timeoutMs);
    sock = up.sock;
    const client = http2.connect("http://docker", {
      createConnection: () => asDuplex(up.sock, up.rest),
    });
    client.on("error", () => undefined);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const s = client.request({
        ":method": "POST",
        ":path": "/moby.buildkit.v1.Control/ListWorkers",
        "content-type": "application/grpc",
        te: "trailers",
      });
      const chunks: Buffer[] = [];
      let grpcStatus: string | undefined;
      s.on("response", (h) => (grpcStatus = h["grpc-status"] as string | undefined));
      s.on(
        "trailers",
        (t) => (grpcStatus = (t["grpc-status"] as string | undefined) ?? grpcStatus),
      );
      s.on("data", (c: Buffer) => chunks.push(c));
      s.on("error", reject);
      s.on("end", () =>
        grpcStatus === "0"
          ? resolve(Buffer.concat(chunks))
          : reject(new Error(`gRPC status ${grpcStatus ?? "missing"}`)),
      );
      s.end(Buffer.from([0, 0, 0, 0, 0])); // an empty ListWorkersRequest, gRPC-framed
    });
    client.close();
    // ListWorkersResponse: repeated WorkerRecord record = 1, after the 5-byte gRPC frame header
    const workers =
      body.length > 5 ? decodeFields(body.subarray(5)).filter((f) => f.no === 1).length : 0;
    return { available: true, workers };
  } catch (e) {
    return { available: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    sock?.destroy();
  }
}
