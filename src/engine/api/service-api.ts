// The engine's leaves for Service, and the service lifecycle compose needs: each is one call with the current run.
import type { HostServiceNode, ServiceNode } from "../nodes.js";
import { requireSession } from "../session.js";
import type * as ServiceCalls from "../services/service-calls.js";
import type * as ServiceManager from "../services/service-manager.js";
import type { RunningService, ServiceState } from "../../runtime/runtime.js";

type AnyService = ServiceNode | HostServiceNode;

// The service code is loaded by the first call that needs it: most runs start no service.
const calls = (): Promise<typeof ServiceCalls> => import("../services/service-calls.js");
const manager = (): Promise<typeof ServiceManager> => import("../services/service-manager.js");

export async function startServiceNode(n: AnyService): Promise<void> {
  await (await calls()).startService(requireSession("Service.start"), n);
}

export async function stopServiceNode(n: AnyService, kill: boolean): Promise<void> {
  await (await calls()).stopService(requireSession("Service.stop"), n, kill);
}

export async function serviceEndpoint(
  n: AnyService,
  o: { port?: number; scheme?: string },
): Promise<string> {
  return (await calls()).serviceEndpoint(requireSession("Service.endpoint"), n, o);
}

export async function serviceHostname(n: AnyService): Promise<string> {
  return (await calls()).serviceHostname(requireSession("Service.hostname"), n);
}

export async function servicePorts(
  n: AnyService,
): Promise<{ port: number; protocol: string; description?: string }[]> {
  return (await calls()).servicePorts(requireSession("Service.ports"), n);
}

export async function serviceUp(
  n: AnyService,
  o: { ports?: { frontend?: number; backend: number }[]; random?: boolean },
): Promise<void> {
  return (await calls()).serviceUp(requireSession("Service.up"), n, o);
}

/** A started long-running service as compose sees it: its container and where the host reaches its ports. */
export interface StartedServiceInfo {
  name: string;
  running: RunningService;
}

/**
 * Start a compose service (shared by digest within the run) and wait until it is ready: healthy when it has a health
 * command, its ports accepting connections when it has some, else — with `startedIsReady`, the `gantry compose`
 * commands' docker-compose semantics (service_started) — started, a one-shot that already exited counting. Without it
 * (a pipeline's `ComposeStack`), a service that exits before it is ready is an error, as any pipeline service's is.
 */
export async function startLongRunning(
  n: ServiceNode,
  opts: { startedIsReady?: boolean } = {},
): Promise<StartedServiceInfo> {
  const r = await (
    await manager()
  ).startService(requireSession("compose service"), n, {
    startedIsReady: opts.startedIsReady === true,
  });
  return { name: r.name, running: r.running };
}

/** Run a service's command to completion (compose jobs and `compose run`); never cached. */
export async function runToCompletion(n: ServiceNode): Promise<{ exitCode: number; logs: string }> {
  const r = await (await manager()).runJob(requireSession("compose job"), n);
  return { exitCode: r.exitCode, logs: r.logs };
}

/** Every line of a started service's output from its start, until it exits or the run ends. */
export async function followServiceLogs(id: string, onLine: (line: string) => void): Promise<void> {
  const s = requireSession("compose logs");
  return (await manager())
    .serviceRuntimeOf(s)
    .followServiceLogs(id, s.signal, (line) => onLine(s.scrub(line)));
}

export async function serviceState(id: string): Promise<ServiceState> {
  const s = requireSession("compose logs");
  return (await manager()).serviceRuntimeOf(s).serviceState(id);
}
