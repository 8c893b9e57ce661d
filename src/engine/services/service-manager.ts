// Starting services on demand, sharing them by digest within a run, and stopping them when the run ends.
import type { ExecNode, ServiceNode } from "../nodes.js";
import type { Session } from "../session.js";
import type { RunningService, ServiceRuntime } from "../../runtime/runtime.js";
import { planExec } from "../evaluate/exec-plan.js";
import { startStep } from "../evaluate/steps.js";
import { UnsupportedError } from "../../errors.js";
import { digestOf } from "../digest.js";
import { waitReady } from "./readiness.js";

export interface StartedService {
  digest: string;
  running: RunningService;
  name: string;
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

/** Start (once per run per digest) and wait until ready. */
export async function startService(
  s: Session,
  node: ServiceNode,
  opts: { aliases?: string[]; timeoutMs?: number } = {},
): Promise<StartedService> {
  const exec = serviceExec(node);
  const plan = await planExec(s, exec);
  for (const v of plan.secretValues) s.scrubber.add(v);
  const digest = digestOf({
    service: plan.digest,
    aliases: node.aliases ?? [],
    publish: node.publish ?? [],
  });
  return s.flights.run(`service:${digest}`, async () => {
    const services = serviceRuntimeOf(s);
    const cfgPorts = exposedPorts(exec);
    const name = `service ${plan.spec.image ?? "container"} ${plan.spec.args.join(" ").slice(0, 60)}`;
    const step = startStep(s, { name: s.scrub(name), kind: "service", digest });
    try {
      await services.network(s.signal);
      const hc = healthcheckOf(exec);
      const running = await services.startService({
        ...plan.spec,
        step: name,
        digest,
        signal: s.signal,
        ports: cfgPorts.all,
        healthcheck: hc,
        aliases: [...(node.aliases ?? []), ...(opts.aliases ?? [])],
        publish: node.publish?.map((p) => ({ ...p })),
      });
      s.onClose(() => services.stopService(running.id, true));
      await waitReady({
        services,
        svc: running,
        name: s.scrub(name),
        ports: cfgPorts.checked,
        useHealthcheck: hc !== undefined,
        timeoutMs: opts.timeoutMs ?? s.serviceTimeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal: s.signal,
      });
      step.end("done");
      return { digest, running, name, ports: cfgPorts.all };
    } catch (e) {
      step.end(s.signal.aborted ? "cancelled" : "failed", {
        error: e instanceof Error ? e.message : String(e),
      });
      throw e;
    }
  }) as Promise<StartedService>;
}

// Which ports a service exposes, and which of them gate readiness (experimentalSkipHealthcheck opts out).
function exposedPorts(exec: ExecNode): { all: string[]; checked: string[] } {
  const all = new Map<string, boolean>();
  for (const op of exec.state.config) {
    if (op.op !== "expose") continue;
    const key = `${op.port}/${op.protocol.toLowerCase()}`;
    if (op.remove) all.delete(key);
    else all.set(key, !op.skipHealthcheck);
  }
  return { all: [...all.keys()], checked: [...all].filter(([, c]) => c).map(([k]) => k) };
}

function healthcheckOf(exec: ExecNode) {
  let hc:
    | {
        test: string[];
        intervalMs: number;
        timeoutMs: number;
        startPeriodMs: number;
        retries: number;
      }
    | undefined;
  for (const op of exec.state.config) {
    if (op.op === "healthcheck") hc = op.test === null ? undefined : { ...op, test: [...op.test] };
  }
  return hc;
}

/** Run a service's command to completion (compose's service_completed_successfully jobs): never cached. */
export async function runJob(
  s: Session,
  node: ServiceNode,
): Promise<{ exitCode: number; logs: string; name: string }> {
  const exec = serviceExec(node);
  const plan = await planExec(s, exec);
  for (const v of plan.secretValues) s.scrubber.add(v);
  const digest = digestOf({ job: plan.digest, aliases: node.aliases ?? [] });
  return s.flights.run(`job:${digest}`, async () => {
    const services = serviceRuntimeOf(s);
    const name = `run ${node.aliases?.[0] ?? plan.spec.image ?? "container"}: ${plan.spec.args.join(" ").slice(0, 60)}`;
    const step = startStep(s, { name: s.scrub(name), kind: "service", digest });
    try {
      await services.network(s.signal);
      const running = await services.startService({
        ...plan.spec,
        step: name,
        digest,
        signal: s.signal,
        ports: [],
        aliases: [...(node.aliases ?? [])],
      });
      s.onClose(() => services.stopService(running.id, true));
      const exitCode = await services.waitService(running.id, s.signal);
      const logs = s.scrub(await services.serviceLogs(running.id, 10_000));
      for (const line of logs.split("\n")) if (line) step.log("stdout", line + "\n");
      step.end(exitCode === 0 ? "done" : "failed", { exitCode });
      return { exitCode, logs, name };
    } catch (e) {
      step.end(s.signal.aborted ? "cancelled" : "failed", {
        error: e instanceof Error ? e.message : String(e),
      });
      throw e;
    }
  }) as Promise<{ exitCode: number; logs: string; name: string }>;
}
