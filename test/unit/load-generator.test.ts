// The deploy tests' load generator decides what counts as a failed request, so its one retry rule is tested here
// against real sockets: a request on a connection that already carried a response may be retried when the server
// closes that connection (as a draining nginx worker does right after a response it sent as keep-alive); a request on
// a new connection never is.
import { afterEach, describe, expect, it } from "vitest";
import net from "node:net";
import { startLoad } from "../helpers/load-generator.js";

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

// A minimal HTTP/1.1 server on loopback; `onRequest` gets the socket and how many requests it has answered on it.
async function server(onRequest: (s: net.Socket, answered: number) => void): Promise<string> {
  const srv = net.createServer((s) => {
    let answered = 0;
    let buf = "";
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    s.on("data", (d) => {
      buf += d.toString("latin1");
      while (buf.includes("\r\n\r\n")) {
        buf = buf.slice(buf.indexOf("\r\n\r\n") + 4);
        onRequest(s, answered++);
      }
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`;
}

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n";

describe("load generator", () => {
  it("retries a request whose reused connection the server closed after a keep-alive response", async () => {
    // Every second response on a connection is followed at once by the close, as an exiting nginx worker does.
    const url = await server((s, n) => {
      if (s.destroyed) return;
      s.write(OK);
      if (n % 2 === 1) s.destroy();
    });
    const load = startLoad(url, { maxRequests: 600 });
    await load.waitRequests(600);
    const r = await load.stop();
    expect(r.failures).toEqual([]);
    expect(r.keepAliveRetries).toBeGreaterThan(0);
    expect(r.requests).toBeGreaterThanOrEqual(600);
  });

  it("never retries a request on a new connection, keep-alive or not", async () => {
    // The first request on every connection is cut without an answer.
    const url = await server((s) => s.destroy());
    const load = startLoad(url, { maxRequests: 40 });
    await load.waitRequests(40);
    const r = await load.stop();
    expect(r.keepAliveRetries).toBe(0);
    expect(r.failures.length).toBe(r.requests);
    expect(new Set(r.failures.map((f) => f.client))).toEqual(
      new Set(["new-connection", "keep-alive"]),
    );
  });
});
