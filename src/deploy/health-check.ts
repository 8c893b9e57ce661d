// One HTTP health probe, and the verdict a person reads when it fails: which URL, and how (status, body, timeout,
// refused, DNS). Node's http client is used directly so each failure keeps its own kind instead of "fetch failed".
import http from "node:http";
import https from "node:https";

export type ProbeOutcome =
  | { ok: true; status: number }
  | { ok: false; kind: "status"; status: number; body: string }
  | { ok: false; kind: "body"; status: number; body: string }
  | { ok: false; kind: "timeout"; afterMs: number }
  | { ok: false; kind: "refused" }
  | { ok: false; kind: "dns"; host: string }
  | { ok: false; kind: "error"; message: string };

const BODY_LIMIT = 64 * 1024;

/** GET `url` once: healthy on 2xx/3xx (redirects are not followed) whose body contains `bodyMatch`, if given. */
export function probe(
  url: string,
  opts: { timeoutMs: number; bodyMatch?: string; signal?: AbortSignal },
): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const get = u.protocol === "https:" ? https.get : http.get;
    let settled = false;
    const onAbort = (): void => done({ ok: false, kind: "error", message: "cancelled" });
    const done = (o: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      req.destroy();
      resolve(o);
    };
    const req = get(
      u,
      { agent: false, headers: { "user-agent": "gantry-deploy-health", connection: "close" } },
      (res) => {
        const status = res.statusCode ?? 0;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          if (body.length < BODY_LIMIT) body += c;
        });
        res.on("error", (e) => done({ ok: false, kind: "error", message: e.message }));
        res.on("end", () => {
          if (status < 200 || status >= 400)
            return done({ ok: false, kind: "status", status, body });
          if (opts.bodyMatch !== undefined && !body.includes(opts.bodyMatch))
            return done({ ok: false, kind: "body", status, body });
          done({ ok: true, status });
        });
      },
    );
    const timer = setTimeout(
      () => done({ ok: false, kind: "timeout", afterMs: opts.timeoutMs }),
      opts.timeoutMs,
    );
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ECONNREFUSED") done({ ok: false, kind: "refused" });
      else if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN")
        done({ ok: false, kind: "dns", host: u.hostname });
      else if (e.code === "ECONNRESET" || e.code === "EPIPE")
        done({ ok: false, kind: "error", message: "the connection was reset before an answer" });
      else done({ ok: false, kind: "error", message: e.code ?? e.message });
    });
  });
}

/** How a failed probe failed, in words: `answered 500`, `connection refused`, `no answer within 5s`. */
export function describeOutcome(o: ProbeOutcome, bodyMatch?: string): string {
  if (o.ok) return `answered ${o.status}`;
  switch (o.kind) {
    case "status":
      return `answered status ${o.status} (expected 2xx or 3xx)${excerpt(o.body)}`;
    case "body":
      return `answered ${o.status} but the body does not contain ${JSON.stringify(bodyMatch ?? "")}${excerpt(o.body)}`;
    case "timeout":
      return `timeout: no answer within ${Math.round(o.afterMs / 100) / 10}s`;
    case "refused":
      return "connection refused (nothing listens on that port)";
    case "dns":
      return `DNS: host ${o.host} not found (not propagated yet?)`;
    case "error":
      return o.message;
  }
}

// The start of a body, on one line, for an error message.
function excerpt(body: string): string {
  const t = body.replace(/\s+/g, " ").trim();
  return t === "" ? "" : `; body: ${JSON.stringify(t.length > 200 ? t.slice(0, 200) + "…" : t)}`;
}
