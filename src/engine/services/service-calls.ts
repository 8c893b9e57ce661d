// Service lifecycle as the SDK and compose ask for it (start, stop, endpoint, up), and how execs bind services.
import net from "node:net";
import { isHostService, type HostServiceNode, type ServiceNode } from "../nodes.js";
import type { Session } from "../session.js";
import type { BindingOps } from "../session-parts.js";
import {
  planService,
  serviceDigest,
  serviceRuntimeOf,
  startAnyService,
  startService as start,
  stopStartedService,
  type StartedService,
} from "./service-manager.js";
import { describeGoneServices } from "./services-gone.js";
import { withStartedBindings } from "../evaluate/exec-plan.js";
import { UsageError } from "../../errors.js";

/** Handed to every Session by openSession: how execs bind services. */
export const bindingOps: BindingOps = {
  // The bindings' part of a consumer's key; nothing starts here, so a cached consumer starts no service.
  digests: async (s, state) =>
    (
      await Promise.all(
        state.services.map(
          async (b) => [b.alias, await serviceDigest(s, b.service)] as [string, string],
        ),
      )
    ).sort((a, b) => a[0].localeCompare(b[0])),
  // The consumer runs: start each service and reach it by alias on the run network.
  start: async (s, state) => {
    const containers: StartedService[] = [];
    const specs = await Promise.all(
      state.services.map(async (b) => {
        if (isHostService(b.service))
          return { alias: b.alias, target: await startAnyService(s, b.service) };
        const started = await start(s, b.service);
        containers.push(started);
        return { alias: b.alias, target: started.running.ip };
      }),
    );
    return {
      specs,
      network: await serviceRuntimeOf(s).network(s.signal),
      gone: () => describeGoneServices(s, containers),
    };
  },
};

export type AnyService = ServiceNode | HostServiceNode;

export async function startService(s: Session, n: AnyService): Promise<void> {
  await startAnyService(s, n);
}

export async function stopService(s: Session, n: AnyService, kill: boolean): Promise<void> {
  await stopStartedService(s, n, kill);
}

export async function serviceEndpoint(
  s: Session,
  n: AnyService,
  o: { port?: number; scheme?: string },
): Promise<string> {
  if (isHostService(n)) {
    // From the machine running the pipeline a host service is simply the host's own port.
    const p = o.port === undefined ? n.ports[0] : n.ports.find((x) => x.frontend === o.port);
    if (!p)
      throw new UsageError(`the host service has no port ${o.port}`, {
        hint: `its ports: ${n.ports.map((x) => x.frontend).join(", ")}`,
      });
    const addr = `${net.isIPv6(n.host) ? `[${n.host}]` : n.host}:${p.backend}`;
    return o.scheme ? `${o.scheme}://${addr}` : addr;
  }
  const svc = await start(s, n);
  const port = o.port !== undefined ? `${o.port}/tcp` : svc.ports[0];
  if (!port)
    throw new UsageError(`${svc.name} exposes no port`, {
      hint: "call withExposedPort(port) before asService()",
    });
  let addr: string;
  if (svc.running.ipReachable) addr = `${svc.running.ip}:${Number.parseInt(port, 10)}`;
  else {
    const hp = svc.running.hostPorts[port];
    if (!hp)
      throw new UsageError(`${svc.name} does not expose port ${port}`, {
        hint: `exposed: ${svc.ports.join(", ") || "none"}`,
      });
    addr = `${hp.host}:${hp.port}`;
  }
  return o.scheme ? `${o.scheme}://${addr}` : addr;
}

export async function serviceHostname(s: Session, n: AnyService): Promise<string> {
  return startAnyService(s, n);
}

export async function servicePorts(
  s: Session,
  n: AnyService,
): Promise<{ port: number; protocol: string; description?: string }[]> {
  if (isHostService(n)) return n.ports.map((p) => ({ port: p.frontend, protocol: "TCP" }));
  const out: { port: number; protocol: string; description?: string }[] = [];
  for (const op of n.container.config) {
    if (op.op === "expose" && !op.remove)
      out.push({ port: op.port, protocol: op.protocol, description: op.description });
  }
  return out;
}

/** Publish the service's ports on the host and keep it up until the run is cancelled. */
export async function serviceUp(
  s: Session,
  n: AnyService,
  o: { ports?: { frontend?: number; backend: number }[]; random?: boolean },
): Promise<void> {
  if (isHostService(n))
    throw new UsageError("Service.up: a host service is already on the host", {
      hint: "up() publishes a container service's ports; bind the host service to containers instead",
    });
  const services = serviceRuntimeOf(s);
  const { exec, plan } = await planService(s, n);
  const exposed = (await servicePorts(s, n)).map((p) => ({
    backend: p.port,
    frontend: o.random ? undefined : p.port,
  }));
  const publish = (o.ports ?? exposed).map((p) => ({
    backend: p.backend,
    frontend: p.frontend,
    protocol: "tcp" as const,
  }));
  await services.network(s.signal);
  const running = await services.startService({
    ...(await withStartedBindings(s, exec, plan)),
    step: "up",
    digest: plan.digest,
    signal: s.signal,
    ports: publish.map((p) => `${p.backend}/tcp`),
    aliases: [],
    publish,
  });
  s.onClose(() => services.stopService(running.id, true));
  for (const [port, hp] of Object.entries(running.hostPorts))
    s.events.emit({
      type: "warning",
      message: `service up: ${port} → ${hp.host}:${hp.port}`,
      time: Date.now(),
    });
  await new Promise<void>((resolve) => {
    if (s.signal.aborted) resolve();
    s.signal.addEventListener("abort", () => resolve(), { once: true });
    void services.waitService(running.id, s.signal).then(
      () => resolve(),
      () => resolve(),
    );
  });
}
