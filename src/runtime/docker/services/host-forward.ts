// A host port as a service: Gantry listens on the run network's gateway (an address of this machine on a local
// engine) and relays each connection to host:backend, which may listen on loopback only. No helper image needed.
import net from "node:net";
import { ServiceError, UnsupportedError } from "../../../errors.js";
import { engineMessage } from "../connection/docker-errors.js";
import type { DockerRunContext } from "../connection/run-context.js";

/** The run network as a host service's relay sees it: the address to listen on and who may connect. */
export interface RelayNetwork {
  gateway: string;
  subnet: string;
}

/** The gateway and subnet of the run network: the host's address as containers on it see it, and their range. */
export async function relayNetwork(ctx: DockerRunContext, network: string): Promise<RelayNetwork> {
  let info: { IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] } };
  try {
    info = (await ctx.docker.getNetwork(network).inspect()) as typeof info;
  } catch (err) {
    throw new ServiceError(`cannot inspect the run network ${network}: ${engineMessage(err)}`, {
      cause: err,
    });
  }
  const cfg = info.IPAM?.Config?.find((c) => c.Gateway && net.isIPv4(c.Gateway) && c.Subnet);
  if (!cfg?.Gateway || !cfg.Subnet)
    throw new ServiceError(`the run network ${network} has no IPv4 gateway and subnet`);
  return { gateway: cfg.Gateway, subnet: cfg.Subnet };
}

/** One listening relay; `close` stops it and cuts its connections. */
export interface Relay {
  close(): Promise<void>;
}

const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host.startsWith("127.");

/**
 * Listen on `gateway:frontend` and pipe every connection from the run network to `host:backend`; connections from
 * elsewhere (other containers on the machine, other hosts) are refused, so a loopback-only server stays private.
 * Returns "direct" when a program on this machine already listens on every interface on that very port and it is
 * the backend itself (host is loopback and frontend = backend): consumers reach it without a relay.
 */
export async function openRelay(
  net_: RelayNetwork,
  frontend: number,
  host: string,
  backend: number,
): Promise<Relay | "direct"> {
  const allowed = new net.BlockList();
  const [base, prefix] = net_.subnet.split("/");
  allowed.addSubnet(base as string, Number(prefix), "ipv4");
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (inbound) => {
    const peer = (inbound.remoteAddress ?? "").replace(/^::ffff:/, "");
    if (!net.isIPv4(peer) || !allowed.check(peer, "ipv4")) {
      inbound.destroy();
      return;
    }
    // Half-open both ways: a client that finishes sending still gets the whole reply.
    const outbound = net.connect({ host, port: backend, allowHalfOpen: true });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  const inUse = await listen(server, net_.gateway, frontend);
  if (!inUse)
    return {
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  if (isLoopback(host) && frontend === backend) return "direct";
  throw new ServiceError(
    `cannot offer ${host}:${backend} to containers as port ${frontend}: a program on this machine already listens on port ${frontend} of every interface`,
    {
      hint: `pick another frontend port: dag.host().service([{ frontend: <free port>, backend: ${backend} }], { host: "${host}" })`,
    },
  );
}

// Resolve false when listening, true when the address is in use; any other failure is thrown.
function listen(server: net.Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") resolve(true);
      // Not an address of this machine (a bridge that is down still has its address, so this is the test).
      else if (err.code === "EADDRNOTAVAIL")
        reject(
          new UnsupportedError(
            `dag.host().service() needs the Docker engine on this machine: the run network's gateway ${host} is not an address here (remote engine, Docker Desktop VM or rootless docker)`,
            { hint: "run Gantry on the engine's machine, or bind a container service instead" },
          ),
        );
      else
        reject(
          new ServiceError(
            `cannot listen on ${host}:${port} to relay a host port: ${err.message}`,
            {
              cause: err,
            },
          ),
        );
    });
    server.listen({ host, port, exclusive: true }, () => resolve(false));
  });
}
