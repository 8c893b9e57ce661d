// Choosing and starting a runtime: docker when an engine answers, else the host runtime, always saying which and why.
import type { GantryEnv } from "../env.js";
import type { ContentStore } from "../store/content-store.js";
import type { Runtime } from "./runtime.js";
import { RuntimeUnavailableError, UsageError } from "../errors.js";
import { stateOwner } from "../store/cache/state-owner.js";
import { probeBubblewrap, type SandboxProbe } from "./host/sandbox-probe.js";

export type RuntimeChoice = "docker" | "host" | "auto";

export interface OpenRuntimeOptions {
  choice: RuntimeChoice;
  store: ContentStore;
  runId: string;
  env: GantryEnv;
  /** From prepareRuntime, for the same choice (the command line may have said otherwise in the end). */
  prepared?: PreparedRuntime;
}

export interface OpenedRuntime {
  runtime: Runtime;
  /** Which runtime and why, for the first line a person sees. */
  note: string;
}

/** What prepareRuntime started for a runtime choice; openRuntime uses it when the choice is still the same. */
export interface PreparedRuntime {
  readonly choice: RuntimeChoice;
  /** The host sandbox's probe, already running. */
  readonly sandbox?: Promise<SandboxProbe>;
}

/**
 * Start what opening `choice` will wait for and can run beside the caller's own work before the run opens: the host
 * runtime's sandbox probe, a short process that runs while `gantry call` reads the module (whose TypeScript parser
 * holds this thread for tens of milliseconds). Docker's connection is not started early: it is a socket that every
 * path never opening a run would have to close.
 */
export function prepareRuntime(choice: RuntimeChoice): PreparedRuntime {
  return choice === "host" ? { choice, sandbox: probeBubblewrap() } : { choice };
}

/** Open the chosen runtime; `auto` falls back to the host runtime only when no engine answers. */
export async function openRuntime(opts: OpenRuntimeOptions): Promise<OpenedRuntime> {
  if (!["docker", "host", "auto"].includes(opts.choice))
    throw new UsageError(
      `unknown runtime ${JSON.stringify(opts.choice)}: use docker, host or auto`,
    );
  if (opts.choice === "host") {
    const host = await openHost(opts);
    return { runtime: host.runtime, note: `runtime: host (${host.mode})` };
  }
  try {
    return await openDocker(opts);
  } catch (e) {
    if (opts.choice === "docker" || !(e instanceof RuntimeUnavailableError)) throw e;
    const host = await openHost(opts);
    return {
      runtime: host.runtime,
      note: `runtime: host (${host.mode}) — ${e.message.split(":")[0]}`,
    };
  }
}

// Loaded on use: dockerode is a sizeable part of start-up and a host-only run never needs it.
async function openDocker(opts: OpenRuntimeOptions): Promise<OpenedRuntime> {
  const { connectDocker } = await import("./docker/connection/connect-docker.js");
  const { DockerRuntime } = await import("./docker/docker-runtime.js");
  const { reapStale } = await import("./docker/cleanup/reaper.js");
  const conn = await connectDocker(opts.env);
  // Concurrent with the run rather than before it: it only removes what dead processes left, never this run's objects.
  const reaping = reapStale(() => conn.docker, { endpoint: conn.endpoint }).catch(() => undefined);
  const runtime = new DockerRuntime({
    background: reaping,
    docker: () => conn.docker,
    endpoint: conn.endpoint,
    store: opts.store,
    runId: opts.runId,
    isLocalEngine: conn.isLocal,
    address: conn.address,
    owner: await stateOwner(opts.env.stateDir),
    buildkitExec: opts.env.buildkitExec,
    dockerConfig: opts.env.dockerConfig,
  });
  const how = opts.env.buildkitExec
    ? ", execs through its BuildKit where they can (experimental)"
    : "";
  return { runtime, note: `runtime: docker (engine at ${conn.address}${how})` };
}

// The host runtime, with the sandbox it could get (bubblewrap) or why it runs plain processes.
async function openHost(opts: OpenRuntimeOptions): Promise<{ runtime: Runtime; mode: string }> {
  const { HostRuntime } = await import("./host/host-runtime.js");
  const prepared = opts.prepared?.choice === opts.choice ? opts.prepared.sandbox : undefined;
  const runtime = await HostRuntime.create({
    ...(prepared ? { sandboxProbe: prepared } : {}),
    store: opts.store,
    runId: opts.runId,
    stateDir: opts.env.stateDir,
    hostPath: opts.env.path,
    ...(opts.env.hostOverlay ? {} : { overlayFromEntries: Infinity }),
  });
  const mode =
    runtime.mode === "bubblewrap"
      ? "bubblewrap"
      : `plain processes: ${runtime.modeReason ?? "no bubblewrap"}`;
  return { runtime, mode };
}
