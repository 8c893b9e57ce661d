// A few small JSON requests to the engine without dockerode: a run whose every step is cached needs only a ping, an
// image inspect or two and the reaper's three lists, and dockerode with docker-modem is ~40 CommonJS files to load
// for them (about 50 ms of every such call here). Everything else still goes through dockerode, loaded on first use.
import http from "node:http";
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

// One request; the body is read whole (these answers are small).
export function engineRequest(
  endpoint: DockerEndpoint,
  method: string,
  path: string,
  signal?: AbortSignal,
): Promise<EngineReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      ...(endpoint.kind === "unix"
        ? { socketPath: endpoint.socketPath }
        : { host: endpoint.host, port: endpoint.port }),
      method,
      path,
      headers: { Host: "docker" },
      ...(signal ? { signal } : {}),
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
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
