// A BuildKit session, so a build can read secrets (RUN --mount=type=secret,id=NAME) without them ever being in the
// context, the build arguments or an image. POST /session upgrades to h2c and the engine becomes a gRPC client of
// ours over that connection; we answer Secrets/GetSecret from memory and the health checks it makes meanwhile.
import { randomBytes } from "node:crypto";
import http2 from "node:http2";
import type { Duplex } from "node:stream";
import type Dockerode from "dockerode";
import { ImageError } from "../../../errors.js";
import { frame, upgradeH2c } from "../buildkit/h2c.js";
import { decodeFields, encodeBytesField, encodeVarintField, fieldString } from "./protobuf-lite.js";

const GET_SECRET = "/moby.buildkit.secrets.v1.Secrets/GetSecret";
const HEALTH_CHECK = "/grpc.health.v1.Health/Check";

/** gRPC status codes used here. */
const OK = 0;
const NOT_FOUND = 5;
const UNIMPLEMENTED = 12;

export interface BuildSession {
  id: string;
  close(): void;
}

/** Open a session that serves `secrets` (id → value) to builds naming it; close it when the build ends. */
export async function openBuildSession(
  docker: Dockerode,
  secrets: Readonly<Record<string, string>>,
): Promise<BuildSession> {
  const id = randomBytes(16).toString("hex");
  const socket = await upgrade(docker, id);
  const server = http2.createServer();
  server.on("stream", (stream, headers) => serve(stream, String(headers[":path"]), secrets));
  server.on("sessionError", () => socket.destroy());
  server.emit("connection", socket);
  return {
    id,
    close: () => {
      socket.destroy();
      server.close();
    },
  };
}

// POST /session with Upgrade: h2c; the engine answers 101 and hands us the raw connection.
function upgrade(docker: Dockerode, id: string): Promise<Duplex> {
  return upgradeH2c(
    docker,
    "/session",
    {
      "X-Docker-Expose-Session-Uuid": id,
      "X-Docker-Expose-Session-Name": "gantry",
      "X-Docker-Expose-Session-Sharedkey": "",
      "X-Docker-Expose-Session-Grpc-Method": [GET_SECRET, HEALTH_CHECK],
    },
    (status, body) =>
      new ImageError(
        `the engine refused a build session (HTTP ${status}): ${body || "no reason given"}`,
        { hint: "build secrets need an engine with BuildKit (Docker 18.09 or newer)" },
      ),
    (err) => new ImageError(`could not open a build session: ${err.message}`, { cause: err }),
  );
}

// One unary gRPC call: read the framed request, answer with a framed message and a grpc-status trailer.
function serve(
  stream: http2.ServerHttp2Stream,
  path: string,
  secrets: Readonly<Record<string, string>>,
): void {
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.on("error", () => undefined);
  stream.on("end", () => {
    let reply: { status: number; message?: string; body?: Buffer };
    try {
      reply = answer(path, unframe(Buffer.concat(chunks)), secrets);
    } catch (e) {
      reply = { status: 13, message: e instanceof Error ? e.message : String(e) };
    }
    if (stream.destroyed) return;
    stream.respond(
      { ":status": 200, "content-type": "application/grpc" },
      { waitForTrailers: true },
    );
    stream.on("wantTrailers", () =>
      stream.sendTrailers({
        "grpc-status": String(reply.status),
        ...(reply.message ? { "grpc-message": encodeURIComponent(reply.message) } : {}),
      }),
    );
    stream.end(reply.body ? frame(reply.body) : undefined);
  });
}

function answer(
  path: string,
  request: Buffer,
  secrets: Readonly<Record<string, string>>,
): { status: number; message?: string; body?: Buffer } {
  if (path === HEALTH_CHECK) return { status: OK, body: encodeVarintField(1, 1) }; // SERVING
  if (path !== GET_SECRET) return { status: UNIMPLEMENTED, message: `${path} is not served` };
  const id = fieldString(decodeFields(request), 1) ?? "";
  const value = secrets[id];
  // The id names the secret, never its value, so it may be said.
  if (value === undefined)
    return { status: NOT_FOUND, message: `secret ${id} was not given to the build` };
  return { status: OK, body: encodeBytesField(1, Buffer.from(value, "utf8")) };
}

function unframe(data: Buffer): Buffer {
  if (data.length < 5) return Buffer.alloc(0);
  if (data[0] !== 0) throw new Error("compressed gRPC messages are not supported");
  return data.subarray(5, 5 + data.readUInt32BE(1));
}
