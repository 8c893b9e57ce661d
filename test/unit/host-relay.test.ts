// The relay behind dag.host().service, on real sockets (loopback stands in for the run network): it passes a
// half-closed request's reply back, and refuses peers outside the network's subnet.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRelay } from "../../src/runtime/docker/services/host-forward.js";
import { closeServer, freePort, listenLoopback } from "../helpers/test-session.js";

let backend: net.Server;
let backendPort: number;
/** Connections the backend accepted: a refused peer must never reach it. */
let backendConnections = 0;

beforeAll(async () => {
  // Answers only once the client has finished sending (as `printf … | nc` expects).
  backend = net.createServer({ allowHalfOpen: true }, (sock) => {
    backendConnections++;
    let got = 0;
    sock.on("data", (d: Buffer) => (got += d.length));
    sock.on("end", () => sock.end(`got ${got} bytes`));
  });
  backendPort = await listenLoopback(backend);
});

afterAll(async () => {
  await closeServer(backend);
});

interface Exchange {
  /** The TCP connection to the relay was accepted (a refusal by the relay, not by the OS). */
  connected: boolean;
  reply: string;
}

// Send `text`, half-close, and read everything until the relay closes.
function exchange(port: number, text: string): Promise<Exchange> {
  return new Promise((resolve) => {
    let reply = "";
    let connected = false;
    const sock = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true }, () => {
      connected = true;
      sock.end(text);
    });
    sock.on("data", (d: Buffer) => (reply += d.toString()));
    sock.on("close", () => resolve({ connected, reply }));
    sock.on("error", () => resolve({ connected, reply }));
  });
}

// A relay on loopback for a run network of `subnet`, to the backend above; what `text` gets back through it.
async function throughRelay(subnet: string, text: string): Promise<Exchange> {
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
    expect(await throughRelay("127.0.0.0/8", "hello")).toEqual({
      connected: true,
      reply: "got 5 bytes",
    });
  });

  it("refuses a peer outside the run network's subnet: accepted, closed unanswered, never relayed", async () => {
    const before = backendConnections;
    expect(await throughRelay("10.0.0.0/8", "hello")).toEqual({ connected: true, reply: "" });
    expect(backendConnections).toBe(before);
    // The same relay for a subnet holding the peer does reach the backend: the refusal above was the subnet check.
    expect((await throughRelay("127.0.0.1/32", "hello")).reply).toBe("got 5 bytes");
    expect(backendConnections).toBe(before + 1);
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
