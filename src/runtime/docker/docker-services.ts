// Services on docker: long-running containers on the run's private network, reachable by alias from consumers.
import type {
  HostForward,
  HostForwardSpec,
  RunningService,
  ServiceRuntime,
  ServiceSpec,
  ServiceState,
} from "../runtime.js";
import { ServiceError } from "../../errors.js";
import { forwardHostPorts, networkGateway } from "./host-forward.js";
import type { CacheVolumes } from "./cache-volumes.js";
import { ignoreGone } from "./docker-errors.js";
import type { DockerRunContext } from "./run-context.js";
import { followServiceLogs, readServiceLogs } from "./service-logs.js";
import { ensureRunNetwork } from "./service-network.js";
import { startServiceContainer, type StartedServiceContainer } from "./service-start.js";
import { haltService, readServiceState, waitServiceExit } from "./service-state.js";

/** One per DockerRuntime: the run's network and the services it started, never module-wide. */
export class DockerServices implements ServiceRuntime {
  private networkName?: Promise<string>;
  /** Started services by container id, so stopping one also frees its volumes, secret files and cache locks. */
  private readonly started = new Map<string, StartedServiceContainer>();
  /** Relayed host ports by frontend: one gateway address serves the whole run, so a port relays one target. */
  private readonly forwarded = new Map<number, string>();
  private readonly forwards = new Set<HostForward>();

  constructor(
    private readonly ctx: DockerRunContext,
    private readonly caches: CacheVolumes,
  ) {}

  // Created on first use and shared by every service of the run; a failed attempt is retried by the next caller.
  network(signal: AbortSignal): Promise<string> {
    this.networkName ??= ensureRunNetwork(this.ctx, signal);
    this.networkName.catch(() => (this.networkName = undefined));
    return this.networkName;
  }

  // Start on the run network and remember what to clean when it stops.
  async startService(spec: ServiceSpec): Promise<RunningService> {
    const network = await this.network(spec.signal);
    const started = await startServiceContainer(this.ctx, this.caches, spec, network);
    this.started.set(started.running.id, started);
    return started.running;
  }

  // Running or exited, with the health docker tracks for the health command.
  serviceState(id: string): Promise<ServiceState> {
    return readServiceState(this.ctx.docker, id);
  }

  // For readiness failures: the service's own last lines, stdout and stderr together.
  serviceLogs(id: string, tail: number): Promise<string> {
    return readServiceLogs(this.ctx.docker, id, tail);
  }

  // `compose up` prints every service's output as it comes.
  followServiceLogs(
    id: string,
    signal: AbortSignal,
    onLine: (line: string) => void,
  ): Promise<void> {
    return followServiceLogs(this.ctx.docker, id, signal, onLine);
  }

  // Jobs and `up` block on the exit; an abort ends the wait, not the service.
  waitService(id: string, signal: AbortSignal): Promise<number> {
    return waitServiceExit(this.ctx.docker, id, signal);
  }

  // Stop (or kill), then remove with its anonymous volumes; named volumes stay. Already gone is fine.
  async stopService(id: string, kill: boolean): Promise<void> {
    await haltService(this.ctx.docker, id, kill);
    const started = this.started.get(id);
    this.started.delete(id);
    if (started) await started.dispose();
    else await ignoreGone(this.ctx.docker.getContainer(id).remove({ force: true, v: true }));
  }

  // Host services share the gateway address, so each frontend port may relay to one host target per run.
  async forwardHost(spec: HostForwardSpec): Promise<HostForward> {
    for (const { frontend, backend } of spec.ports) {
      const owner = this.forwarded.get(frontend);
      if (owner !== undefined && owner !== `${spec.host}:${backend}`)
        throw new ServiceError(
          `port ${frontend} of the run network already relays to ${owner}; cannot relay it to ${spec.host}:${backend} too`,
          { hint: "give one of the host services another frontend port" },
        );
    }
    const gateway = await networkGateway(this.ctx, await this.network(spec.signal));
    const fwd = await forwardHostPorts(gateway, spec);
    for (const { frontend, backend } of spec.ports)
      this.forwarded.set(frontend, `${spec.host}:${backend}`);
    this.forwards.add(fwd);
    return {
      ip: fwd.ip,
      close: async () => {
        if (!this.forwards.delete(fwd)) return;
        for (const { frontend } of spec.ports) this.forwarded.delete(frontend);
        await fwd.close();
      },
    };
  }

  // Kill every service still running; DockerRuntime.close calls it before removing what carries the run's labels.
  async close(): Promise<void> {
    const ids = [...this.started.keys()];
    await Promise.allSettled([
      ...ids.map((id) => this.stopService(id, true)),
      ...[...this.forwards].map((f) => f.close()),
    ]);
    this.forwards.clear();
    this.forwarded.clear();
  }
}
