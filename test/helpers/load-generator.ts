// A load generator for deploy tests: loops of HTTP GETs to one URL, counting every failure, until stopped or bounded.
// Two kinds of client run side by side: a new connection per request, and keep-alive connections that retry an
// idempotent request when a connection that already carried a response was closed by the server before it answered
// (RFC 9112 §9.3.1; browsers and curl do; counted apart, as `keepAliveRetries`). A request on a new connection is never
// retried. Reuse is tracked per socket here, not read from Node's `req.reusedSocket`: Node's agent hands a freed socket
// straight to a queued request without setting that flag (lib/_http_agent.js, the 'free' handler), so a request on a
// reused connection would be miscounted as one on a new connection.
import http from "node:http";
import type { Socket } from "node:net";

export interface LoadReport {
  requests: number;
  failures: {
    at: number;
    error: string;
    client: "new-connection" | "keep-alive";
    reused?: boolean;
  }[];
  keepAliveRetries: number;
  /** Response bodies in order, with the time they arrived (for "which version served when"). */
  bodies: { at: number; body: string }[];
}

export interface LoadGenerator {
  stop(): Promise<LoadReport>;
  /** Resolves once `n` more requests are over, answered or failed (to be sure load ran across a step). */
  waitRequests(n: number): Promise<void>;
}

/** Start `loops` sequential loops per client kind against `url`; bounded by `maxRequests` and `maxMs`. */
export function startLoad(
  url: string,
  opts: { loops?: number; maxRequests?: number; maxMs?: number } = {},
): LoadGenerator {
  const loops = opts.loops ?? 2;
  const maxRequests = opts.maxRequests ?? 200_000;
  const until = Date.now() + (opts.maxMs ?? 600_000);
  const report: LoadReport = { requests: 0, failures: [], keepAliveRetries: 0, bodies: [] };
  const waiters: { at: number; resolve: () => void }[] = [];
  let stopped = false;
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: loops });
  // Responses each socket has carried: a socket with one or more is a reused connection for the next request.
  const answered = new WeakMap<Socket, number>();

  const get = (
    agent: http.Agent | false,
  ): Promise<{ status: number; body: string; reused: boolean }> =>
    new Promise((resolve, reject) => {
      let reused = false;
      let sock: Socket | undefined;
      const req = http.get(url, { agent, timeout: 10_000 }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          if (sock) answered.set(sock, (answered.get(sock) ?? 0) + 1);
          resolve({ status: res.statusCode ?? 0, body, reused });
        });
        res.on("error", reject);
      });
      req.on("socket", (s) => {
        sock = s;
        reused = req.reusedSocket || (answered.get(s) ?? 0) > 0;
      });
      req.on("timeout", () => req.destroy(new Error("timeout after 10s")));
      req.on("error", (e) => reject(Object.assign(e, { reused })));
    });

  const record = (body: string): void => {
    report.bodies.push({ at: Date.now(), body: body.trim() });
    count();
  };
  // Every request counts once it is over, answered or failed.
  const count = (): void => {
    report.requests++;
    for (const w of waiters.filter((w) => report.requests >= w.at)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };

  const loop = async (agent: http.Agent | false): Promise<void> => {
    const client = agent ? "keep-alive" : "new-connection";
    while (!stopped && report.requests < maxRequests && Date.now() < until) {
      try {
        let r: { status: number; body: string; reused: boolean } | undefined;
        // RFC 9112 §9.3.1: an idempotent request that failed on a reused keep-alive connection (the server closed it
        // as the request went out) is retried, as browsers and curl do; each pooled socket may be stale, hence the bound.
        for (let attempt = 0; !r; attempt++) {
          try {
            r = await get(agent);
          } catch (e) {
            const err = e as NodeJS.ErrnoException & { reused?: boolean };
            if (agent && err.reused && err.code === "ECONNRESET" && attempt < loops + 1) {
              report.keepAliveRetries++;
              continue;
            }
            throw e;
          }
        }
        if (r.status !== 200)
          report.failures.push({
            at: Date.now(),
            error: `status ${r.status}: ${r.body.trim()}`,
            client,
          });
        record(r.body);
      } catch (e) {
        const err = e as NodeJS.ErrnoException & { reused?: boolean };
        report.failures.push({
          at: Date.now(),
          error: `${err.code ?? ""} ${err.message}`,
          client,
          reused: err.reused,
        });
        count();
      }
    }
  };

  const running = Promise.all([
    ...Array.from({ length: loops }, () => loop(false)),
    ...Array.from({ length: loops }, () => loop(keepAlive)),
  ]);
  return {
    async stop() {
      stopped = true;
      await running;
      keepAlive.destroy();
      return report;
    },
    waitRequests(n) {
      return new Promise((resolve) => waiters.push({ at: report.requests + n, resolve }));
    },
  };
}
