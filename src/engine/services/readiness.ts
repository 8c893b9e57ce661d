// Is a service ready? Its ports accept connections (dialled from outside, so no tool inside the image is needed) or it is healthy.
import net from "node:net";
import type { RunningService, ServiceRuntime } from "../../runtime/runtime.js";
import { ServiceError, CancelledError } from "../../errors.js";

export interface ReadinessInit {
  services: ServiceRuntime;
  svc: RunningService;
  name: string;
  ports: string[];
  useHealthcheck: boolean;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Wait until every port accepts a connection (or the health command passes); fail with the service's own last log lines. */
export async function waitReady(init: ReadinessInit): Promise<void> {
  const deadline = Date.now() + init.timeoutMs;
  const pending = new Set(init.useHealthcheck ? [] : init.ports.filter((p) => p.endsWith("/tcp")));
  for (let attempt = 0; ; attempt++) {
    if (init.signal.aborted)
      throw new CancelledError(`service ${init.name}: cancelled while starting`);
    const st = await init.services.serviceState(init.svc.id);
    if (!st.running)
      throw await failure(init, `exited with code ${st.exitCode ?? "?"} before it was ready`);
    if (init.useHealthcheck) {
      if (st.health === "healthy") return;
      if (st.health === "unhealthy") throw await failure(init, "its health check failed");
    } else {
      for (const p of [...pending]) if (await probe(init.svc, p)) pending.delete(p);
      if (pending.size === 0) return;
    }
    if (Date.now() > deadline) {
      const what = init.useHealthcheck
        ? "its health check did not pass"
        : `port${pending.size > 1 ? "s" : ""} ${[...pending].join(", ")} did not accept connections`;
      throw await failure(
        init,
        `was not ready after ${Math.round(init.timeoutMs / 1000)} s: ${what}`,
      );
    }
    await sleep(Math.min(50 * 2 ** attempt, 500));
  }
}

async function failure(init: ReadinessInit, what: string): Promise<ServiceError> {
  const logs = await init.services.serviceLogs(init.svc.id, 20).catch(() => "");
  const body = logs.trim()
    ? `\n--- last lines of ${init.name} ---\n${logs.trimEnd()}`
    : " (it printed nothing)";
  return new ServiceError(`service ${init.name} ${what}${body}`, {
    hint: "check the service's command and exposed ports; raise the timeout with GANTRY_SERVICE_TIMEOUT (seconds)",
  });
}

// Docker's userland proxy accepts on a published port even when nothing listens behind it, then hangs up at once;
// so a connection only counts when it is still open a moment later (or the server spoke first).
async function probe(svc: RunningService, port: string): Promise<boolean> {
  const n = Number.parseInt(port, 10);
  if (svc.ipReachable) return (await dial(svc.ip, n, 0)) === undefined;
  const hp = svc.hostPorts[port];
  return hp ? (await dial(hp.host, hp.port, 150)) === undefined : false;
}

// Undefined when a connection opens (and, with `holdMs`, stays open that long or the server speaks first);
// otherwise why not: the error code (ECONNREFUSED, ENOTFOUND…), "closed" or "timed out".
function dial(host: string, port: number, holdMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let settled = false;
    const done = (failure: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(failure);
    };
    const timer = setTimeout(() => done("timed out"), 1000);
    sock.once("error", (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    sock.once("data", () => done(undefined));
    sock.once("close", () => done("closed"));
    sock.once("connect", () => {
      if (holdMs === 0) done(undefined);
      else
        setTimeout(
          () => done(!sock.destroyed && sock.readyState === "open" ? undefined : "closed"),
          holdMs,
        );
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A host service is ready when every backend port on the host accepts connections. */
export async function waitHostReady(init: {
  host: string;
  ports: number[];
  name: string;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<void> {
  const deadline = Date.now() + init.timeoutMs;
  const pending = new Map(init.ports.map((p) => [p, "not tried"]));
  for (let attempt = 0; ; attempt++) {
    if (init.signal.aborted) throw new CancelledError(`${init.name}: cancelled while starting`);
    for (const p of [...pending.keys()]) {
      const failure = await dial(init.host, p, 0);
      if (failure === undefined) pending.delete(p);
      else pending.set(p, failure);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline || [...pending.values()].includes("ENOTFOUND")) {
      const why = [...pending].map(([p, code]) => `${init.host}:${p} (${code})`).join(", ");
      const unknownHost = [...pending.values()].includes("ENOTFOUND");
      throw new ServiceError(
        unknownHost
          ? `${init.name}: the host name ${init.host} does not resolve on this machine: ${why}`
          : `${init.name}: nothing accepted connections on ${why} within ${Math.round(init.timeoutMs / 1000)} s`,
        {
          hint: unknownHost
            ? "use a name this machine resolves (localhost, or one in /etc/hosts or DNS)"
            : "start the program on this machine first (dag.host().service relays to a port that must already listen), or raise GANTRY_SERVICE_TIMEOUT (seconds)",
        },
      );
    }
    await sleep(Math.min(50 * 2 ** attempt, 500));
  }
}
