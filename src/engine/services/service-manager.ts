// Starting services on demand, sharing them by digest within a run, and stopping them when the run ends.
import {
  isHostService,
  type ContainerState,
  type ExecNode,
  type HostServiceNode,
  type ServiceNode,
} from "../nodes.js";
import type { Session } from "../session.js";
import type { RunningService, ServiceRuntime } from "../../runtime/runtime.js";
import { planExec, withStartedBindings, type ExecPlan } from "../evaluate/exec-plan.js";
import { startStep, stopIfDryRun } from "../evaluate/steps.js";
import { UnsupportedError } from "../../errors.js";
import { digestOf } from "../../store/digest.js";
import { waitHostReady, waitReady } from "./readiness.js";

export interface StartedService {
  digest: string;
  running: RunningService;
  /** The step's name: the service and its command. */
  name: string;
  /** The service as messages name it after "service": its compose name, else its image and command. */
  label: string;
  ports: string[];
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** The runtime's service support, or a clear error naming the runtime. */
export function serviceRuntimeOf(s: Session): ServiceRuntime {
  if (!s.runtime.services)
    throw new UnsupportedError(`services are not available on the ${s.runtime.name} runtime`, {
      hint: "run with --runtime=docker",
    });
  return s.runtime.services;
}

/** The exec a service runs: its args, else the image's default command, else (older Dagger style) its last withExec. */
export function serviceExec(node: ServiceNode): ExecNode {
  const state = node.container;
  if (
    !node.args &&
    state.lastExec &&
    state.fs.kind === "exec" &&
    state.fs.exec === state.lastExec &&
    state.ops.length === 0
  ) {
    return { ...state.lastExec, expect: "ANY" };
  }
  if (!node.args)
    return { state, args: [], expect: "ANY", useEntrypoint: true, useDefaultArgs: true };
  return { state, args: [...node.args], expect: "ANY", useEntrypoint: node.useEntrypoint };
}

// What starting a service and running a job share: the exec, its plan, and its secrets registered for scrubbing.
// Planned once per node and run: every consumer's cache key asks for the service's digest.
export function planService(s: Session, node: ServiceNode) {
  let planned = s.memo.get(node) as Promise<{ exec: ExecNode; plan: ExecPlan }> | undefined;
  if (!planned) {
    planned = (async () => {
      const exec = serviceExec(node);
      const plan = await planExec(s, exec);
      for (const v of plan.secretValues) s.scrubber.add(v);
      return { exec, plan };
    })();
    s.memo.set(node, planned);
  }
  return planned;
}

/** The single-flight key a started service is shared (and stopped) by within a run. */
const flightKey = (digest: string): string => `service:${digest}`;

// One step around starting or running something; the step fails or is cancelled with it.
async function inStep<T>(
  s: Session,
  name: string,
  digest: string,
  body: (step: ReturnType<typeof startStep>) => Promise<T>,
): Promise<T> {
  const step = startStep(s, { name: s.scrub(name), kind: "service", digest });
  try {
    return await body(step);
  } catch (e) {
    step.end(s.signal.aborted ? "cancelled" : "failed", {
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  }
}

// A service's identity within a run and in its consumers' cache keys: what it runs, its names and published ports.
async function planServiceStart(s: Session, node: ServiceNode) {
  const { exec, plan } = await planService(s, node);
  const digest = digestOf({
    service: plan.digest,
    aliases: node.aliases ?? [],
    publish: node.publish ?? [],
    // the older style runs the last withExec, and ports or a healthcheck set after it are the service's too
    ...(readinessChangedAfter(exec, node)
      ? {
          after: {
            ports: exposedPorts(node.container),
            healthcheck: healthcheckOf(node.container),
          },
        }
      : {}),
  });
  return { exec, plan, digest };
}

// In the older style, ports or a healthcheck set after the exec that runs: only then does the service's identity
// name them (every other service keeps the key it had).
function readinessChangedAfter(exec: ExecNode, node: ServiceNode): boolean {
  if (exec.state === node.container) return false;
  return (
    JSON.stringify([exposedPorts(exec.state), healthcheckOf(exec.state)]) !==
    JSON.stringify([exposedPorts(node.container), healthcheckOf(node.container)])
  );
}

/** The digest a consumer's cache key takes from a bound service, computed without starting it. */
export async function serviceDigest(
  s: Session,
  node: ServiceNode | HostServiceNode,
): Promise<string> {
  if (isHostService(node)) return hostServiceDigest(node);
  return (await planServiceStart(s, node)).digest;
}

const hostServiceDigest = (node: HostServiceNode): string =>
  digestOf({ hostService: node.host, ports: node.ports });

/**
 * Stop a service this run started; one it never started is left alone (not started just to be stopped). Using the
 * service again afterwards starts it anew, as in Dagger.
 */
export async function stopStartedService(
  s: Session,
  node: ServiceNode | HostServiceNode,
  kill: boolean,
): Promise<void> {
  const key = flightKey(await serviceDigest(s, node));
  const flight = s.flights.peek(key);
  if (!flight) return;
  s.flights.forget(key);
  const started = (await flight.catch(() => undefined)) as
    StartedService | StartedHostService | undefined;
  if (!started) return;
  if ("stop" in started) await started.stop();
  else await serviceRuntimeOf(s).stopService(started.running.id, kill);
}

/** Start (once per run per digest) and wait until ready. */
export async function startService(
  s: Session,
  node: ServiceNode,
  opts: { aliases?: string[]; timeoutMs?: number; startedIsReady?: boolean } = {},
): Promise<StartedService> {
  const { exec, plan, digest } = await planServiceStart(s, node);
  return s.flights.run(flightKey(digest), async () => {
    const services = serviceRuntimeOf(s);
    // the container's config as the service was asked for: in the older style (the last withExec runs), ports
    // exposed after that exec are waited for too, as Dagger does
    const cfgPorts = exposedPorts(node.container);
    // Compose services are known by their names; others by image and command.
    const what = node.aliases?.[0] ?? plan.spec.image ?? "container";
    const command = plan.spec.args.join(" ").slice(0, 60);
    const name = `service ${what}${node.aliases?.[0] ? ":" : ""} ${command}`;
    const label = s.scrub(node.aliases?.[0] ?? (command ? `${what} (${command})` : what));
    stopIfDryRun(s, { name, kind: "service" });
    return inStep(s, name, digest, async (step) => {
      await services.network(s.signal);
      const hc = healthcheckOf(node.container);
      const running = await services.startService({
        ...(await withStartedBindings(s, exec, plan)),
        step: name,
        label,
        digest,
        signal: s.signal,
        ports: cfgPorts.all,
        healthcheck: hc,
        aliases: [...(node.aliases ?? []), ...(opts.aliases ?? [])],
        publish: node.publish?.map((p) => ({ ...p })),
        labels: node.labels ? { ...node.labels } : undefined,
      });
      s.onClose(() => services.stopService(running.id, true));
      await waitReady({
        services,
        svc: running,
        name: label,
        ports: cfgPorts.checked,
        useHealthcheck: hc !== undefined,
        timeoutMs: opts.timeoutMs ?? s.serviceTimeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal: s.signal,
        startedIsReady: opts.startedIsReady,
      });
      step.end("done");
      return { digest, running, name, label, ports: cfgPorts.all };
    });
  }) as Promise<StartedService>;
}

/** Start a container or host service; where its consumers reach it on the run network. */
export async function startAnyService(
  s: Session,
  node: ServiceNode | HostServiceNode,
): Promise<string> {
  return isHostService(node)
    ? (await startHostService(s, node)).ip
    : (await startService(s, node)).running.ip;
}

export interface StartedHostService {
  digest: string;
  /** Where consumers on the run network reach the frontends. */
  ip: string;
  name: string;
  stop(): Promise<void>;
}

/** Relay a host port to the run network (once per run per digest), after checking something listens on it. */
export async function startHostService(
  s: Session,
  node: HostServiceNode,
): Promise<StartedHostService> {
  const digest = hostServiceDigest(node);
  return s.flights.run(flightKey(digest), async () => {
    const services = serviceRuntimeOf(s);
    const name = `host service ${node.ports.map((p) => `${p.frontend}→${node.host}:${p.backend}`).join(", ")}`;
    return inStep(s, name, digest, async (step) => {
      await waitHostReady({
        host: node.host,
        ports: node.ports.map((p) => p.backend),
        name,
        timeoutMs: s.serviceTimeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal: s.signal,
      });
      const fwd = await services.forwardHost({
        host: node.host,
        ports: node.ports.map((p) => ({ ...p })),
        signal: s.signal,
      });
      s.onClose(() => fwd.close());
      step.end("done");
      return { digest, ip: fwd.ip, name, stop: () => fwd.close() };
    });
  }) as Promise<StartedHostService>;
}

// Which ports a service exposes, and which of them gate readiness (experimentalSkipHealthcheck opts out).
function exposedPorts(state: ContainerState): { all: string[]; checked: string[] } {
  const all = new Map<string, boolean>();
  for (const op of state.config) {
    if (op.op !== "expose") continue;
    const key = `${op.port}/${op.protocol.toLowerCase()}`;
    if (op.remove) all.delete(key);
    else all.set(key, !op.skipHealthcheck);
  }
  return { all: [...all.keys()], checked: [...all].filter(([, c]) => c).map(([k]) => k) };
}

function healthcheckOf(state: ContainerState) {
  let hc:
    | {
        test: string[];
        intervalMs: number;
        timeoutMs: number;
        startPeriodMs: number;
        retries: number;
      }
    | undefined;
  for (const op of state.config) {
    if (op.op === "healthcheck") hc = op.test === null ? undefined : { ...op, test: [...op.test] };
  }
  return hc;
}

/** Run a service's command to completion (compose's service_completed_successfully jobs): never cached. */
export async function runJob(
  s: Session,
  node: ServiceNode,
): Promise<{ exitCode: number; logs: string; name: string }> {
  const { exec, plan } = await planService(s, node);
  const digest = digestOf({ job: plan.digest, aliases: node.aliases ?? [] });
  return s.flights.run(`job:${digest}`, async () => {
    const services = serviceRuntimeOf(s);
    const name = `run ${node.aliases?.[0] ?? plan.spec.image ?? "container"}: ${plan.spec.args.join(" ").slice(0, 60)}`;
    return inStep(s, name, digest, async (step) => {
      await services.network(s.signal);
      const running = await services.startService({
        ...(await withStartedBindings(s, exec, plan)),
        step: name,
        label: s.scrub(node.aliases?.[0] ?? plan.spec.image ?? "container"),
        digest,
        signal: s.signal,
        ports: [],
        aliases: [...(node.aliases ?? [])],
        labels: node.labels ? { ...node.labels } : undefined,
      });
      s.onClose(() => services.stopService(running.id, true));
      const exitCode = await services.waitService(running.id, s.signal);
      const logs = s.scrub(await services.serviceLogs(running.id, 10_000));
      for (const line of logs.split("\n")) if (line) step.log("stdout", line + "\n");
      step.end(exitCode === 0 ? "done" : "failed", { exitCode });
      return { exitCode, logs, name };
    });
  }) as Promise<{ exitCode: number; logs: string; name: string }>;
}
