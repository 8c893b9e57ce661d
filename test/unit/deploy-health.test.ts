// The health probe and gate against real local HTTP servers: each way of failing is told apart and named.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import net from "node:net";
import { describeOutcome, probe } from "../../src/deploy/health-check.js";
import { healthError, waitHealthy } from "../../src/deploy/wait-healthy.js";

let server: http.Server;
let base = "";
let flakyHits = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/ok") return void res.end("all good");
    if (req.url === "/redirect") return void res.writeHead(302, { location: "/ok" }).end();
    if (req.url === "/fail") return void res.writeHead(503).end("warming up");
    if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2_000);
    if (req.url === "/flaky") return void res.writeHead(++flakyHits < 3 ? 500 : 200).end("x");
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

// A loopback port nothing listens on.
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

describe("probe", () => {
  it("passes 2xx and 3xx (redirects are not followed)", async () => {
    expect(await probe(`${base}/ok`, { timeoutMs: 2000 })).toEqual({ ok: true, status: 200 });
    expect(await probe(`${base}/redirect`, { timeoutMs: 2000 })).toEqual({ ok: true, status: 302 });
  });

  it("names a bad status with the body's start", async () => {
    const o = await probe(`${base}/fail`, { timeoutMs: 2000 });
    expect(o).toEqual({ ok: false, kind: "status", status: 503, body: "warming up" });
    expect(describeOutcome(o)).toBe(
      'answered status 503 (expected 2xx or 3xx); body: "warming up"',
    );
  });

  it("checks the body when asked", async () => {
    expect(await probe(`${base}/ok`, { timeoutMs: 2000, bodyMatch: "good" })).toEqual({
      ok: true,
      status: 200,
    });
    const o = await probe(`${base}/ok`, { timeoutMs: 2000, bodyMatch: "healthy" });
    expect(describeOutcome(o, "healthy")).toBe(
      'answered 200 but the body does not contain "healthy"; body: "all good"',
    );
  });

  it("tells a timeout, a refusal and an unknown host apart", async () => {
    const slow = await probe(`${base}/slow`, { timeoutMs: 300 });
    expect(describeOutcome(slow)).toBe("timeout: no answer within 0.3s");
    const refused = await probe(`http://127.0.0.1:${await closedPort()}/`, { timeoutMs: 2000 });
    expect(refused).toEqual({ ok: false, kind: "refused" });
    const dns = await probe("http://gantry-no-such-host.invalid/", { timeoutMs: 5000 });
    expect(dns).toMatchObject({ ok: false, kind: "dns", host: "gantry-no-such-host.invalid" });
  });
});

describe("waitHealthy", () => {
  const signal = new AbortController().signal;

  it("retries until the URL passes", async () => {
    flakyHits = 0;
    const r = await waitHealthy([{ label: "/flaky", url: `${base}/flaky` }], {
      timeoutMs: 5000,
      intervalMs: 10,
      signal,
    });
    expect(r).toEqual({ ok: true });
    expect(flakyHits).toBe(3);
  });

  it("gives up after the retries and reports each failing URL with its attempts", async () => {
    const r = await waitHealthy(
      [
        { label: "/ok", url: `${base}/ok` },
        { label: "/fail", url: `${base}/fail` },
      ],
      { timeoutMs: 5000, retries: 2, intervalMs: 10, signal },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failures.map((f) => [f.target.label, f.attempts])).toEqual([["/fail", 2]]);
    const err = healthError(
      "release r2 of shop",
      r,
      undefined,
      "booting\ncrashed",
      "traffic stays on release r1",
    );
    expect(err.code).toBe("DEPLOY_ERROR");
    expect(err.message).toContain(
      "release r2 of shop failed its health check; traffic stays on release r1",
    );
    expect(err.message).toContain(`/fail (${base}/fail): answered status 503`);
    expect(err.message).toContain("[2 attempts]");
    expect(err.message).toContain("  crashed");
  });

  it("stops at once when the release's process is gone", async () => {
    const r = await waitHealthy([{ label: "/fail", url: `${base}/fail` }], {
      timeoutMs: 60_000,
      intervalMs: 10,
      signal,
      stopReason: async () => "the release's process exited with code 1",
    });
    expect(r).toMatchObject({ ok: false, stopped: "the release's process exited with code 1" });
  });
});
