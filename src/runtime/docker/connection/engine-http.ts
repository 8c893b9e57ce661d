// A few small JSON requests to the engine without dockerode: a run whose every step is cached needs only a ping, an
// image inspect or two and the reaper's three lists, and dockerode with docker-modem is ~40 CommonJS files to load
// for them (about 50 ms of every such call here). Everything else still goes through dockerode, loaded on first use.
import net from "node:net";
import type { DockerEndpoint } from "./socket-discovery.js";

/** The engine's answer: HTTP status and body (JSON answers parsed by engineJson). */
export interface EngineReply {
  status: number;
  body: Buffer;
}

/** An engine answer that was not 2xx; `statusCode` and `json.message` as dockerode's errors have them. */
export class EngineHttpError extends Error {
  readonly statusCode: number;
  readonly json: { message?: string } | undefined;

  constructor(method: string, path: string, reply: EngineReply) {
    const json = parseJson(reply.body) as { message?: string } | undefined;
    super(
      `(HTTP code ${reply.status}) ${method} ${path.split("?")[0]}: ${json?.message ?? reply.body.toString("utf8").trim()}`,
    );
    this.name = "EngineHttpError";
    this.statusCode = reply.status;
    this.json = json;
  }
}

// One request, read whole (these answers are small). HTTP/1.0 over a plain socket, not node:http: the engine answers
// it with the body as is (no chunking) and closes, and the first request through node:http costs ~15 ms more here
// (loading and warming its client) than the whole exchange does.
export function engineRequest(
  endpoint: DockerEndpoint,
  method: string,
  path: string,
  signal?: AbortSignal,
): Promise<EngineReply> {
  return new Promise((resolve, reject) => {
    const socket =
      endpoint.kind === "unix"
        ? net.connect({ path: endpoint.socketPath })
        : net.connect({ host: endpoint.host, port: endpoint.port });
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", abort);
      fn();
    };
    const abort = (): void => {
      socket.destroy();
      settle(() => reject(signal?.reason ?? new Error(`${method} ${path} was aborted`)));
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener("abort", abort, { once: true });
    // write, not end: the engine reads a half-closed connection as a client gone and may cancel the request
    socket.on("connect", () => socket.write(`${method} ${path} HTTP/1.0\r\nHost: docker\r\n\r\n`));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (e) => settle(() => reject(e)));
    socket.on("end", () => {
      socket.destroy();
      settle(() => {
        try {
          resolve(parseReply(Buffer.concat(chunks)));
        } catch (e) {
          reject(e);
        }
      });
    });
    socket.on("close", () =>
      settle(() => reject(new Error(`the engine closed the connection during ${method} ${path}`))),
    );
  });
}

// Status line, headers, body; a chunked body (which an HTTP/1.0 answer should not have) is decoded all the same.
function parseReply(raw: Buffer): EngineReply {
  const end = raw.indexOf("\r\n\r\n");
  const head = raw.toString("latin1", 0, end < 0 ? raw.length : end);
  const status = /^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1];
  if (end < 0 || status === undefined)
    throw new Error(`the engine's answer is not HTTP: ${JSON.stringify(head.slice(0, 80))}`);
  let body = raw.subarray(end + 4);
  if (/^transfer-encoding:\s*chunked/im.test(head)) body = unchunk(body);
  return { status: Number(status), body };
}

// HTTP/1.1 chunked transfer coding: size line, bytes, CRLF, until a size of 0.
function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const eol = data.indexOf("\r\n", at);
    const size = parseInt(data.toString("latin1", at, eol < 0 ? data.length : eol), 16);
    if (eol < 0 || !Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** GET a JSON answer; undefined on 404 (no such image, container…), an EngineHttpError on any other failure. */
export async function engineJson<T>(
  endpoint: DockerEndpoint,
  path: string,
  signal?: AbortSignal,
): Promise<T | undefined> {
  const reply = await engineRequest(endpoint, "GET", path, signal);
  if (reply.status === 404) return undefined;
  if (reply.status < 200 || reply.status >= 300) throw new EngineHttpError("GET", path, reply);
  return parseJson(reply.body) as T;
}

// Engines answer JSON; a proxy in the way may not.
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
