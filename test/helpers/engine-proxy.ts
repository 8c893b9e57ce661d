// A unix socket that forwards to the real Docker engine and can be cut: "the engine went away" without
// stopping the engine other people's tests use.
import { rmSync } from "node:fs";
import net from "node:net";

export interface EngineProxy {
  /** DOCKER_HOST value that reaches the engine through the proxy. */
  dockerHost: string;
  /** How many connections the proxy has carried. */
  connections(): number;
  /** Drop every connection and stop accepting: the engine is gone, as far as Gantry can tell. */
  cut(): Promise<void>;
}

// Listen on `socketPath` and pipe each connection to `engineSocket` (the engine the tests use: a unix DOCKER_HOST).
export async function startEngineProxy(
  socketPath: string,
  engineSocket = process.env.DOCKER_HOST?.startsWith("unix://")
    ? process.env.DOCKER_HOST.slice("unix://".length)
    : "/var/run/docker.sock",
): Promise<EngineProxy> {
  rmSync(socketPath, { force: true });
  const open = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((client) => {
    count++;
    const upstream = net.connect(engineSocket);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    dockerHost: `unix://${socketPath}`,
    connections: () => count,
    cut: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      });
      rmSync(socketPath, { force: true });
    },
  };
}
