// Exposed and published ports of a service container, and where the host reaches them once it runs.
import type Dockerode from "dockerode";
import type { RunningService, ServiceSpec } from "../../runtime.js";
import type { DockerRunContext } from "../connection/run-context.js";

type Binding = { HostIp: string; HostPort: string };

export interface PortConfig {
  ExposedPorts: Record<string, object>;
  PortBindings: Record<string, Binding[]>;
}

// "5432" → "5432/tcp", the form docker keys ports by.
export function portKey(port: string): string {
  return port.includes("/") ? port.toLowerCase() : `${port}/tcp`;
}

// Every exposed port published on a random host port (loopback when the engine is here), fixed `publish` ports as asked.
export function planPorts(ctx: DockerRunContext, spec: ServiceSpec): PortConfig {
  const config: PortConfig = { ExposedPorts: {}, PortBindings: {} };
  // A remote engine's loopback is not ours: publish on all its interfaces so this machine can dial it.
  const randomIp = ctx.isLocalEngine ? "127.0.0.1" : "";
  for (const port of spec.ports.map(portKey)) {
    config.ExposedPorts[port] = {};
    config.PortBindings[port] = [{ HostIp: randomIp, HostPort: "" }];
  }
  for (const p of spec.publish ?? []) {
    const port = `${p.backend}/${p.protocol}`;
    config.ExposedPorts[port] = {};
    config.PortBindings[port] = [
      {
        HostIp: p.hostIp ?? "0.0.0.0",
        HostPort: p.frontend === undefined ? "" : String(p.frontend),
      },
    ];
  }
  return config;
}

// The binding shown for a port: the IPv4 one when there is one (as hostPortsOf dials it).
const chosenBinding = (bindings: Binding[] | null | undefined): Binding | undefined =>
  (bindings ?? []).find((b) => !b.HostIp.includes(":")) ?? bindings?.[0];

/** The ports the engine bound, as `docker ps` shows them: "0.0.0.0:18095" for a port published on all interfaces. */
export function boundPortsOf(info: Dockerode.ContainerInspectInfo): Record<string, string> {
  const bound: Record<string, string> = {};
  for (const [port, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const b = chosenBinding(bindings);
    if (!b?.HostPort) continue;
    const ip = b.HostIp === "" ? "0.0.0.0" : b.HostIp;
    bound[port] = `${ip.includes(":") ? `[${ip}]` : ip}:${b.HostPort}`;
  }
  return bound;
}

// Read the ports the engine bound; an address of "all interfaces" is dialled on the engine's own host.
export function hostPortsOf(
  ctx: DockerRunContext,
  info: Dockerode.ContainerInspectInfo,
): RunningService["hostPorts"] {
  const hostPorts: RunningService["hostPorts"] = {};
  const engineHost = ctx.isLocalEngine ? "127.0.0.1" : remoteHost(ctx);
  for (const [port, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const chosen = chosenBinding(bindings);
    if (!chosen?.HostPort) continue;
    const wildcard = chosen.HostIp === "" || chosen.HostIp === "0.0.0.0" || chosen.HostIp === "::";
    hostPorts[port] = {
      host: wildcard ? engineHost : chosen.HostIp,
      port: Number(chosen.HostPort),
    };
  }
  return hostPorts;
}

// The host of a tcp:// engine (DOCKER_HOST), where its published ports are.
function remoteHost(ctx: DockerRunContext): string {
  const host = (ctx.docker.modem as { host?: unknown }).host;
  return typeof host === "string" && host !== "" ? host : "127.0.0.1";
}
