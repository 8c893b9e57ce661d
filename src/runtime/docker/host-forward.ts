// A host port as a service: Gantry listens on the run network's gateway (an address of this machine on a local
// engine) and relays each connection to host:backend, which may listen on loopback only. No helper image needed.
import net from "node:net";
import type { HostForward, HostForwardSpec } from "../runtime.js";
import { CancelledError, ServiceError, UnsupportedError } from "../../errors.js";
import { engineMessage } from "./docker-errors.js";
import type { DockerRunContext } from "./run-context.js";

/** The gateway of the run network: the host's address as containers on that network see it. */
export async function networkGateway(ctx: DockerRunContext, network: string): Promise<string> {
  let info: { IPAM?: { Config?: { Gateway?: string }[] } };
  try {
    info = (await ctx.docker.getNetwork(network).inspect()) as typeof info;
  } catch (err) {
    throw new ServiceError(`cannot inspect the run network ${network}: ${engineMessage(err)}`, {
      cause: err,
    });
  }
  const gateway = info.IPAM?.Config?.find((c) => c.Gateway && net.isIPv4(c.Gateway))?.Gateway;
  if (!gateway) throw new ServiceError(`the run network ${network} has no IPv4 gateway`);
  return gateway;
}

const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host.startsWith("127.");

/**
 * Listen on `gateway:frontend` for each port and pipe every connection to `host:backend`.
 * When `gateway:frontend` is taken because a host program already listens on every interface on that very port
 * (host is loopback and frontend = backend), that program is the service: consumers reach it without a relay.
 */
export async function forwardHostPorts(
  gateway: string,
  spec: HostForwardSpec,
): Promise<HostForward> {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  };
  try {
    for (const { frontend, backend } of spec.ports) {
      if (spec.signal.aborted) throw new CancelledError("forwarding a host port was cancelled");
      const server = net.createServer((inbound) => {
        const outbound = net.connect({ host: spec.host, port: backend });
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {
            inbound.destroy();
            outbound.destroy();
          });
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      const taken = await listen(server, gateway, frontend);
      if (!taken) {
        servers.push(server);
        continue;
      }
      if (isLoopback(spec.host) && frontend === backend) continue;
      throw new ServiceError(
        `cannot offer ${spec.host}:${backend} to containers as port ${frontend}: a program on this machine already listens on port ${frontend} of every interface`,
        {
          hint: `pick another frontend port: dag.host().service([{ frontend: <free port>, backend: ${backend} }])`,
        },
      );
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { ip: gateway, close };
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
