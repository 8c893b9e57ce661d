// Is a service ready? Its ports accept connections (dialled from outside, so no tool inside the image is needed) or it is healthy.
import net from "node:net";
import type { RunningService, ServiceRuntime, ServiceState } from "../../runtime/runtime.js";
import { ServiceError, CancelledError } from "../../errors.js";

export interface ReadinessInit {
  /** Where its state and logs come from (a run's service, or a container that outlives the run: deploy-api). */
  services: Pick<ServiceRuntime, "serviceState" | "serviceLogs">;
  svc: RunningService;
  name: string;
  /** How messages name it (default `service <name>`), e.g. a dev server by its command. */
  subject?: string;
  /** What to do next, instead of the services' hints (which name GANTRY_SERVICE_TIMEOUT). */
  hints?: { exited?: string; notListening?: string };
  ports: string[];
  useHealthcheck: boolean;
  timeoutMs: number;
  signal: AbortSignal;
  /**
   * Compose `up`'s "started" (docker compose's service_started): with no checked port and no health command, the
   * container having started is all there is to wait for, so one that already exited (a one-shot) is not a failure.
   * Pipelines' services leave it unset: a service that exits before it is ready is an error there.
   */
  startedIsReady?: boolean;
}

/** Wait until every port accepts a connection (or the health command passes); fail with the service's own last log lines. */
export async function waitReady(init: ReadinessInit): Promise<void> {
  const deadline = Date.now() + init.timeoutMs;
  const pending = new Set(init.useHealthcheck ? [] : init.ports.filter((p) => p.endsWith("/tcp")));
  if (init.startedIsReady && !init.useHealthcheck && pending.size === 0) return;
  for (let attempt = 0; ; attempt++) {
    if (init.signal.aborted)
      throw new CancelledError(
        `${init.subject ?? `service ${init.name}`}: cancelled while starting`,
      );
    const st = await init.services.serviceState(init.svc.id);
    if (!st.running)
      throw await failure(init, `exited with code ${st.exitCode ?? "?"} before it was ready`, {
        hint:
          init.hints?.exited ??
          "its output above says why it stopped: fix its command, or what it needs (variables, files, services)",
      });
    if (init.useHealthcheck) {
      if (st.health === "healthy") return;
      if (st.health === "unhealthy")
        throw await failure(init, "is unhealthy: its health check failed", {
          check: st.failedHealthCheck,
          hint: "the health check runs inside the container: check that its command exists there and that what it tests is up",
        });
    } else {
      for (const p of [...pending]) if (await probe(init.svc, p)) pending.delete(p);
      if (pending.size === 0) return;
    }
    if (Date.now() > deadline) {
      const secs = Math.round(init.timeoutMs / 1000);
      throw await (init.useHealthcheck
        ? failure(init, `was not ready after ${secs} s: its health check had not passed`, {
            check: st.failedHealthCheck,
            hint: "if it only needs longer, raise the timeout with GANTRY_SERVICE_TIMEOUT (seconds); else fix the health check",
          })
        : failure(
            init,
            `was not ready after ${secs} s: port${pending.size > 1 ? "s" : ""} ${[...pending].join(", ")} did not accept connections (its process is still running)`,
            {
              hint:
                init.hints?.notListening ??
                "check that the service listens on those ports (on all interfaces, not only localhost); raise the timeout with GANTRY_SERVICE_TIMEOUT (seconds)",
            },
          ));
    }
    await sleep(Math.min(50 * 2 ** attempt, 500));
  }
}

// The service's last lines (docker may log a fast exit a moment after reporting it, so an empty log is read twice),
// and the health check's own last output when there is one.
async function failure(
  init: ReadinessInit,
  what: string,
  more: { hint: string; check?: ServiceState["failedHealthCheck"] },
): Promise<ServiceError> {
  const read = () => init.services.serviceLogs(init.svc.id, 20).catch(() => "");
  let logs = await read();
  if (!logs.trim()) logs = await sleep(300).then(read);
  const subject = init.subject ?? `service ${init.name}`;
  const body = logs.trim()
    ? `\n--- last lines of ${subject} ---\n${logs.trimEnd()}`
    : " (no output was logged)";
  const check = more.check
    ? `\n--- last health check (exit code ${more.check.exitCode}) ---\n${more.check.output.trimEnd() || "(no output)"}`
    : "";
  return new ServiceError(`${subject} ${what}${body}${check}`, { hint: more.hint });
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
