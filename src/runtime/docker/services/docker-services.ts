// Services on docker: long-running containers on the run's private network, reachable by alias from consumers.
import type {
  HostForward,
  HostForwardSpec,
  RunningService,
  ServiceRuntime,
  ServiceSpec,
  ServiceState,
} from "../../runtime.js";
import { CancelledError, ServiceError } from "../../../errors.js";
import type { Relay, RelayNetwork } from "./host-forward.js";
import type { CacheVolumes } from "../exec/cache-volumes.js";
import { ignoreGone } from "../connection/docker-errors.js";
import type { DockerRunContext } from "../connection/run-context.js";
import type { StartedServiceContainer } from "./service-start.js";

/** One per DockerRuntime: the run's network and the services it started, never module-wide. The code behind each
 * operation is loaded on first use, since most runs start no service. */
export class DockerServices implements ServiceRuntime {
  private networkName?: Promise<string>;
  /** Started services by container id, so stopping one also frees its volumes, secret files and cache locks. */
  private readonly started = new Map<string, StartedServiceContainer>();
  /** Relayed host ports by frontend: one gateway address serves the whole run, so a port relays one target. */
  private readonly relays = new Map<
    number,
    { target: string; refs: number; ready: Promise<Relay | "direct"> }
  >();
  private relayNetwork?: Promise<RelayNetwork>;
  /** Starts in flight: close() lets them finish (an aborted one removes what it made) before the run's sweep. */
  private readonly starting = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly ctx: DockerRunContext,
    /** The run's cache volumes, loaded by the first exec or service that mounts one. */
    private readonly caches: () => Promise<CacheVolumes>,
  ) {}

  // Created on first use and shared by every service of the run; a failed attempt is retried by the next caller.
  network(signal: AbortSignal): Promise<string> {
    this.networkName ??= import("./service-network.js").then((m) =>
      m.ensureRunNetwork(this.ctx, signal),
    );
    this.networkName.catch(() => (this.networkName = undefined));
    return this.networkName;
  }

  // Start on the run network and remember what to clean when it stops.
  async startService(spec: ServiceSpec): Promise<RunningService> {
    if (this.closed) throw new CancelledError("the run is closing: no service starts now");
    const starting = (async () => {
      const network = await this.network(spec.signal);
      const { startServiceContainer } = await import("./service-start.js");
      const started = await startServiceContainer(this.ctx, await this.caches(), spec, network);
      this.started.set(started.running.id, started);
      return started.running;
    })();
    this.starting.add(starting);
    try {
      return await starting;
    } finally {
      this.starting.delete(starting);
    }
  }

  // Running or exited, with the health docker tracks for the health command.
  async serviceState(id: string): Promise<ServiceState> {
    const { readServiceState } = await import("./service-state.js");
    return readServiceState(this.ctx.docker, id);
  }

  // For readiness failures: the service's own last lines, stdout and stderr together.
  async serviceLogs(id: string, tail: number): Promise<string> {
    const { readServiceLogs } = await import("./service-logs.js");
    return readServiceLogs(this.ctx.docker, id, tail);
  }

  // `compose up` prints every service's output as it comes.
  async followServiceLogs(
    id: string,
    signal: AbortSignal,
    onLine: (line: string) => void,
  ): Promise<void> {
    const { followServiceLogs } = await import("./service-logs.js");
    return followServiceLogs(this.ctx.docker, id, signal, onLine);
  }

  // Jobs and `up` block on the exit; an abort ends the wait, not the service.
  async waitService(id: string, signal: AbortSignal): Promise<number> {
    const { waitServiceExit } = await import("./service-state.js");
    return waitServiceExit(this.ctx.docker, id, signal);
  }

  // Stop (or kill), then remove with its anonymous volumes; named volumes stay. Already gone is fine.
  async stopService(id: string, kill: boolean): Promise<void> {
    const { haltService } = await import("./service-state.js");
    await haltService(this.ctx.docker, id, kill);
    const started = this.started.get(id);
    this.started.delete(id);
    if (started) await started.dispose();
    else await ignoreGone(this.ctx.docker.getContainer(id).remove({ force: true, v: true }));
  }

  // Host services share the gateway address, so a frontend port relays to one target per run; services with the same
  // target share its relay. Entries are taken before any await, so concurrent starts cannot both claim a port.
  async forwardHost(spec: HostForwardSpec): Promise<HostForward> {
    if (this.closed) throw new CancelledError("the run is closing: no host service starts now");
    const target = (backend: number): string => `${spec.host}:${backend}`;
    for (const { frontend, backend } of spec.ports) {
      const owner = this.relays.get(frontend);
      if (owner && owner.target !== target(backend))
        throw new ServiceError(
          `port ${frontend} of the run network already relays to ${owner.target}; cannot relay it to ${target(backend)} too`,
          { hint: "give one of the host services another frontend port" },
        );
    }
    const frontends = spec.ports.map((p) => p.frontend);
    for (const { frontend, backend } of spec.ports) {
      let entry = this.relays.get(frontend);
      if (!entry) {
        const ready = this.relayNet(spec.signal).then(async (rn) => {
          const { openRelay } = await import("./host-forward.js");
          return openRelay(rn, frontend, spec.host, backend);
        });
        entry = { target: target(backend), refs: 0, ready };
        this.relays.set(frontend, entry);
      }
      entry.refs++;
    }
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await Promise.all(frontends.map((f) => this.releaseRelay(f)));
    };
    try {
      await Promise.all(frontends.map((f) => this.relays.get(f)?.ready));
      const { gateway } = await this.relayNet(spec.signal);
      if (this.closed) throw new CancelledError("the run closed while a host service started");
      return { ip: gateway, close: release };
    } catch (e) {
      await release();
      throw e;
    }
  }

  private relayNet(signal: AbortSignal): Promise<RelayNetwork> {
    this.relayNetwork ??= this.network(signal).then(async (n) => {
      const { relayNetwork } = await import("./host-forward.js");
      return relayNetwork(this.ctx, n);
    });
    this.relayNetwork.catch(() => (this.relayNetwork = undefined));
    return this.relayNetwork;
  }

  // The last user of a frontend port closes its relay (a failed one is simply forgotten).
  private async releaseRelay(frontend: number): Promise<void> {
    const entry = this.relays.get(frontend);
    if (!entry || --entry.refs > 0) return;
    this.relays.delete(frontend);
    await closeRelay(entry.ready);
  }

  // Kill every service still running; DockerRuntime.close calls it before removing what carries the run's labels.
  async close(): Promise<void> {
    this.closed = true;
    // A container (or the network) still being created when Ctrl-C came would appear after the sweep of the run's
    // labels has listed what to remove: then the network, still in use, stayed behind, and a container started
    // after the process had gone could stay running. The run's signal is aborted by now, so starts end quickly.
    await Promise.allSettled([...this.starting, this.networkName]);
    const ids = [...this.started.keys()];
    const relays = [...this.relays.values()];
    this.relays.clear();
    await Promise.allSettled([
      ...ids.map((id) => this.stopService(id, true)),
      ...relays.map((r) => closeRelay(r.ready)),
    ]);
  }
}

// Stop a relay once it is listening; one that failed to open, or a direct connection, has nothing to stop.
async function closeRelay(ready: Promise<Relay | "direct">): Promise<void> {
  const relay = await ready.catch(() => undefined);
  if (relay && relay !== "direct") await relay.close();
}
