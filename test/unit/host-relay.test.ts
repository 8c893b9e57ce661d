// The relay behind dag.host().service, on real sockets (loopback stands in for the run network): it passes a
// half-closed request's reply back, and refuses peers outside the network's subnet.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRelay } from "../../src/runtime/docker/services/host-forward.js";
import { closeServer, freePort, listenLoopback } from "../helpers/test-session.js";

let backend: net.Server;
let backendPort: number;

beforeAll(async () => {
  // Answers only once the client has finished sending (as `printf … | nc` expects).
  backend = net.createServer({ allowHalfOpen: true }, (sock) => {
    let got = 0;
    sock.on("data", (d: Buffer) => (got += d.length));
    sock.on("end", () => sock.end(`got ${got} bytes`));
  });
  backendPort = await listenLoopback(backend);
});

afterAll(async () => {
  await closeServer(backend);
});

// Send `text`, half-close, and read everything until the relay closes.
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    let reply = "";
    const sock = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true }, () =>
      sock.end(text),
    );
    sock.on("data", (d: Buffer) => (reply += d.toString()));
    sock.on("close", () => resolve(reply));
    sock.on("error", () => resolve(reply));
  });
}

// A relay on loopback for a run network of `subnet`, to the backend above; what `text` gets back through it.
async function throughRelay(subnet: string, text: string): Promise<string> {
  const frontend = await freePort();
  const relay = await openRelay(
    { gateway: "127.0.0.1", subnet },
    frontend,
    "127.0.0.1",
    backendPort,
  );
  try {
    return await exchange(frontend, text);
  } finally {
    if (relay !== "direct") await relay.close();
  }
}

describe("host service relay", () => {
  it("returns the reply to a request that half-closed its side", async () => {
    expect(await throughRelay("127.0.0.0/8", "hello")).toBe("got 5 bytes");
  });

  it("refuses a peer outside the run network's subnet", async () => {
    expect(await throughRelay("10.0.0.0/8", "hello")).toBe("");
  });

  it("uses a program already listening on every interface directly when it is the backend itself", async () => {
    const everywhere = net.createServer((s) => s.end("direct"));
    await new Promise<void>((r) => everywhere.listen(0, "0.0.0.0", () => r()));
    const port = (everywhere.address() as net.AddressInfo).port;
    try {
      const net_ = { gateway: "127.0.0.1", subnet: "127.0.0.0/8" };
      expect(await openRelay(net_, port, "localhost", port)).toBe("direct");
      await expect(openRelay(net_, port, "localhost", backendPort)).rejects.toThrow(
        `a program on this machine already listens on port ${port} of every interface`,
      );
    } finally {
      await new Promise<void>((r) => everywhere.close(() => r()));
    }
  });
});
