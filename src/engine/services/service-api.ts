// Service lifecycle entry points used by the SDK's Service and by service bindings of execs.
import type { ContainerState, ServiceNode } from "../nodes.js";
import type { Session } from "../session.js";
import { setBindingResolver, type ResolvedBindings } from "../evaluate/service-hook.js";
import { serviceExec, serviceRuntimeOf, startService as start } from "./service-manager.js";
import { planExec } from "../evaluate/exec-plan.js";
import { UsageError } from "../../errors.js";

/** Bindings of a consumer: start each service, reach it by alias on the run network. */
async function resolveBindings(s: Session, state: ContainerState): Promise<ResolvedBindings> {
  const started = await Promise.all(
    state.services.map(async (b) => ({ alias: b.alias, svc: await start(s, b.service) })),
  );
  const network = await serviceRuntimeOf(s).network(s.signal);
  return {
    specs: started.map((x) => ({ alias: x.alias, target: x.svc.running.ip })),
    digests: started
      .map((x) => [x.alias, x.svc.digest] as [string, string])
      .sort((a, b) => a[0].localeCompare(b[0])),
    network,
  };
}
setBindingResolver(resolveBindings);

export async function startService(s: Session, n: ServiceNode): Promise<void> {
  await start(s, n);
}

export async function stopService(s: Session, n: ServiceNode, kill: boolean): Promise<void> {
  const svc = await start(s, n);
  await serviceRuntimeOf(s).stopService(svc.running.id, kill);
}

export async function serviceEndpoint(
  s: Session,
  n: ServiceNode,
  o: { port?: number; scheme?: string },
): Promise<string> {
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

export async function serviceHostname(s: Session, n: ServiceNode): Promise<string> {
  return (await start(s, n)).running.ip;
}

export async function servicePorts(
  s: Session,
  n: ServiceNode,
): Promise<{ port: number; protocol: string; description?: string }[]> {
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
  n: ServiceNode,
  o: { ports?: { frontend?: number; backend: number }[]; random?: boolean },
): Promise<void> {
  const services = serviceRuntimeOf(s);
  const exec = serviceExec(n);
  const plan = await planExec(s, exec);
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
    ...plan.spec,
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
