// What the deploy layer needs from the current run: the engine's deployments, the release image, the project's
// place in the state dir, and steps a person sees. Each is one call with the current run, like the SDK's leaves.
import type { ContainerState } from "../nodes.js";
import { requireSession } from "../session.js";
import { containerSnapshot, resolveConfig } from "../evaluate/container.js";
import { startStep } from "../evaluate/steps.js";
import type { ImageConfig } from "../../runtime/runtime.js";
import type { DeployedContainer, DeploymentRuntime } from "../../runtime/deployment-runtime.js";
import { waitReady } from "../services/readiness.js";
import { UnsupportedError, UsageError } from "../../errors.js";

/** Where the run's deploy state goes and which images to run the proxy and flyctl from. */
export interface DeployRunContext {
  runId: string;
  runtime: "docker" | "host";
  projectDir: string;
  stateDir?: string;
  proxyImage?: string;
  flyctlImage?: string;
  signal: AbortSignal;
}

export function deployRunContext(what: string): DeployRunContext {
  const s = requireSession(what);
  return {
    runId: s.runId,
    runtime: s.runtime.name,
    projectDir: s.projectDir,
    stateDir: s.env?.stateDir,
    proxyImage: s.env?.deployProxyImage,
    flyctlImage: s.env?.flyctlImage,
    signal: s.signal,
  };
}

/** The engine's deployments; the host runtime has none, and says how to get them. */
export function deploymentRuntime(what: string): DeploymentRuntime {
  const s = requireSession(what);
  if (!s.runtime.deployments)
    throw new UnsupportedError(
      `${what} needs a container engine, but this run is on the ${s.runtime.name} runtime`,
      {
        hint: "run it with --runtime=docker (a local engine, or a remote one through DOCKER_HOST)",
      },
    );
  return s.runtime.deployments;
}

/** The engine's deployments when this run's runtime has them (the docker runtime), else undefined. */
export function deploymentRuntimeIfAny(what: string): DeploymentRuntime | undefined {
  return requireSession(what).runtime.deployments;
}

/**
 * Evaluate the container and keep it on the engine as the image `ref` (never pushed); its id and config.
 * Secrets are refused: a release outlives the run, and its image must not hold what the run masks.
 */
export async function releaseImage(
  state: ContainerState,
  ref: string,
): Promise<{ id: string; config: ImageConfig }> {
  const s = requireSession("deploy");
  const secrets = [
    ...state.secretEnv.map((e) => `variable ${e.name}`),
    ...state.mounts.filter((m) => m.kind === "secret").map((m) => `file ${m.target}`),
  ];
  if (secrets.length > 0)
    throw new UsageError(
      `cannot deploy a container with secrets (${secrets.join(", ")}): a release outlives the run, and its image must not carry them`,
      {
        hint: "give the release its secrets at run time on the target (e.g. `fly secrets set`), not in the pipeline's container",
      },
    );
  const deployments = deploymentRuntime("deploy");
  const [snapshot, config] = await Promise.all([
    containerSnapshot(s, state),
    resolveConfig(s, state),
  ]);
  const id = await deployments.tagImage(snapshot, config, ref, s.signal);
  return { id, config };
}

/** A piece of a deploy shown as a step (its output lines too); failed when fn throws. */
export async function deployStep<T>(
  name: string,
  fn: (log: (line: string) => void) => Promise<T>,
): Promise<T> {
  const s = requireSession("deploy");
  const step = startStep(s, { name, kind: "other" });
  try {
    const v = await fn((line) => step.log("stdout", s.scrub(line) + "\n"));
    step.end("done");
    return v;
  } catch (e) {
    step.end(s.signal.aborted ? "cancelled" : "failed", {
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  }
}

/**
 * Have the run's close wait for `work` (at most `capMs`). An interrupted run closes without waiting for the function
 * it runs, so a deploy's own failure path (taking down a release that never served) would race the process's exit.
 */
export function closeAfter(work: Promise<unknown>, capMs: number): void {
  requireSession("deploy").onClose(async () => {
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((r) => (timer = setTimeout(r, capMs)));
    await Promise.race([work.then(noop, noop), cap]);
    clearTimeout(timer);
  });
}

function noop(): void {}

/** Text with every secret of the run masked (a release's logs may echo one). */
export function scrubText(text: string): string {
  return requireSession("deploy").scrub(text);
}

/**
 * Wait as a run's services are waited for (running, and `port` accepting connections through its published host
 * port), on a deployment container that outlives the run: a dev server is up when `dev start` returns. Fails with a
 * ServiceError naming `subject`, with its last log lines scrubbed, when it exits first or `port` never answers.
 */
export async function waitDeploymentReady(
  c: DeployedContainer,
  o: {
    subject: string;
    port?: number;
    timeoutMs: number;
    hints: { exited: string; notListening: string };
  },
): Promise<void> {
  const s = requireSession("deploy");
  const rt = deploymentRuntime("deploy");
  await waitReady({
    services: {
      serviceState: (id) => rt.state(id),
      serviceLogs: async (id, tail) => s.scrub(await rt.logs(id, tail)),
    },
    svc: { id: c.id, ip: "", hostPorts: c.hostPorts, ipReachable: false },
    name: c.name,
    subject: o.subject,
    ports: o.port === undefined ? [] : [`${o.port}/tcp`],
    useHealthcheck: false,
    timeoutMs: o.timeoutMs,
    signal: s.signal,
    hints: o.hints,
  });
}
