// BuildKit's control API on dockerd (POST /grpc upgraded to h2c, the way `docker buildx`'s docker driver talks):
// Solve a Definition with Status streamed beside it. One HTTP/2 connection per runtime; many solves share it.
import { randomBytes } from "node:crypto";
import http2 from "node:http2";
import type Dockerode from "dockerode";
import { decodeFields, fieldBytes, fieldString } from "../images/protobuf-lite.js";
import { deframer, frame, upgradeH2c } from "./h2c.js";
import { msg, str, strMap } from "./pb-write.js";

export interface SolveOptions {
  exporter?: string;
  exporterAttrs?: Readonly<Record<string, string>>;
  session: string;
  signal: AbortSignal;
  /** Each log chunk as it comes: the vertex's digest, its stream (1 stdout, 2 stderr) and the bytes. */
  onLog?: (vertex: string, stream: number, data: Buffer) => void;
}

export interface SolveResult {
  /** gRPC status: 0 is success. */
  status: number;
  message: string;
  exporterResponse: Record<string, string>;
  /** Vertices by digest: whether BuildKit answered it from its cache, whether it started, and its error. */
  vertices: Map<string, VertexState>;
}

export interface VertexState {
  cached: boolean;
  started: boolean;
  error?: string;
  name?: string;
  /** The first few KiB the vertex logged (runc's own complaints land here too). */
  log: string;
}

export class BuildkitControl {
  private client?: Promise<http2.ClientHttp2Session>;

  constructor(private readonly docker: Dockerode) {}

  // One connection, made again when the engine closed it; an engine that refuses the API (Podman, BuildKit off)
  // is not asked again by this runtime. Solves starting together share one attempt.
  private connect(): Promise<http2.ClientHttp2Session> {
    if (this.refused) return Promise.reject(this.refused);
    const current = this.client;
    if (!current) return this.reconnect(undefined);
    return current.then(
      (c) => (c.closed || c.destroyed ? this.reconnect(current) : c),
      () => this.reconnect(current),
    );
  }

  private reconnect(
    stale: Promise<http2.ClientHttp2Session> | undefined,
  ): Promise<http2.ClientHttp2Session> {
    if (this.client !== stale) return this.connect(); // another solve made a new one meanwhile
    this.client = upgradeH2c(
      this.docker,
      "/grpc",
      {},
      (status, body) =>
        (this.refused = new Error(`the engine has no BuildKit API (HTTP ${status}): ${body}`)),
      (err) => err,
    ).then((socket) => {
      const client = http2.connect("http://docker", { createConnection: () => socket });
      client.on("error", () => undefined);
      return client;
    });
    return this.client;
  }

  /** Connected, or rejected with why not (an engine without the API is then `unavailable`). */
  async ready(): Promise<void> {
    await this.connect();
  }

  private refused?: Error;

  /** The engine answered that it has no BuildKit API. */
  get unavailable(): boolean {
    return this.refused !== undefined;
  }

  /** SolveRequest{Ref=1, Definition=2, Exporter=3, ExporterAttrs=4, Session=5}, with Status for the vertices. */
  async solve(definition: Buffer, opts: SolveOptions): Promise<SolveResult> {
    const client = await this.connect();
    const ref = `gantry-${randomBytes(10).toString("hex")}`;
    const vertices = new Map<string, VertexState>();
    // StatusResponse{vertexes=1}; Vertex{digest=1, cached=4, started=5, error=7}
    const status = this.call(client, "Status", str(1, ref), opts.signal, (m) => {
      for (const v of fieldBytes(decodeFields(m), 1)) {
        const f = decodeFields(v);
        const digest = fieldString(f, 1) ?? "";
        const seen = vertices.get(digest) ?? { cached: false, started: false, log: "" };
        if (f.some((x) => x.no === 4 && x.value === 1)) seen.cached = true;
        if (f.some((x) => x.no === 5)) seen.started = true;
        seen.name ??= fieldString(f, 3);
        const error = fieldString(f, 7);
        if (error) seen.error = error;
        vertices.set(digest, seen);
      }
      // StatusResponse{logs=3}; VertexLog{vertex=1, stream=3, msg=4}
      for (const l of fieldBytes(decodeFields(m), 3)) {
        const f = decodeFields(l);
        const digest = fieldString(f, 1) ?? "";
        const data = fieldBytes(f, 4)[0] ?? Buffer.alloc(0);
        const seen = vertices.get(digest) ?? { cached: false, started: false, log: "" };
        if (seen.log.length < 4096) seen.log += data.toString("utf8");
        vertices.set(digest, seen);
        const stream = f.find((x) => x.no === 3)?.value;
        opts.onLog?.(digest, typeof stream === "number" ? stream : 0, data);
      }
    });
    status.catch(() => undefined); // a lost connection fails the Solve too, which says so
    const request = Buffer.concat([
      str(1, ref),
      msg(2, definition),
      str(3, opts.exporter),
      strMap(4, opts.exporterAttrs ?? {}),
      str(5, opts.session),
    ]);
    const exporterResponse: Record<string, string> = {};
    // SolveResponse{ExporterResponse=1 map<string,string>}
    const solved = await this.call(client, "Solve", request, opts.signal, (m) => {
      for (const e of fieldBytes(decodeFields(m), 1)) {
        const f = decodeFields(e);
        exporterResponse[fieldString(f, 1) ?? ""] = fieldString(f, 2) ?? "";
      }
    });
    await status.catch(() => undefined);
    return { ...solved, exporterResponse, vertices };
  }

  // One Control call (unary or server-streaming); every response message goes to onMessage.
  private call(
    client: http2.ClientHttp2Session,
    method: string,
    body: Buffer,
    signal: AbortSignal,
    onMessage: (m: Buffer) => void,
  ): Promise<{ status: number; message: string }> {
    return new Promise((resolve, reject) => {
      const req = client.request({
        ":method": "POST",
        ":path": `/moby.buildkit.v1.Control/${method}`,
        "content-type": "application/grpc",
        te: "trailers",
      });
      const cancel = () => req.close(http2.constants.NGHTTP2_CANCEL);
      signal.addEventListener("abort", cancel, { once: true });
      if (signal.aborted) cancel(); // aborted while connecting: the listener would never fire
      let status: number | undefined;
      let message = "";
      const take = (h: http2.IncomingHttpHeaders) => {
        if (h["grpc-status"] === undefined) return;
        status = Number(h["grpc-status"]);
        message = safeDecode(String(h["grpc-message"] ?? ""));
      };
      req.on("response", take);
      req.on("trailers", take);
      const take2 = deframer(onMessage);
      req.on("data", (chunk: Buffer) => {
        try {
          take2(chunk);
        } catch (err) {
          req.close(http2.constants.NGHTTP2_CANCEL);
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      req.on("error", (err) =>
        reject(
          Object.assign(new Error(`BuildKit's ${method}: ${err.message}`, { cause: err }), {
            code: "ECONNRESET",
          }),
        ),
      );
      req.on("close", () => {
        signal.removeEventListener("abort", cancel);
        if (status !== undefined || signal.aborted) resolve({ status: status ?? -1, message });
        // no gRPC status at all: the connection went (the engine stopped, or its socket was cut)
        else
          reject(
            Object.assign(new Error(`BuildKit's ${method} ended without an answer`), {
              code: "ECONNRESET",
            }),
          );
      });
      req.end(frame(body));
    });
  }

  close(): void {
    void this.client?.then((c) => c.close()).catch(() => undefined);
    this.client = undefined;
  }
}

// grpc-message is percent-encoded; a malformed one is shown as it came.
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
