// Choosing and starting a runtime: docker when an engine answers, else the host runtime, always saying which and why.
import type { GantryEnv } from "../env.js";
import type { ContentStore } from "../store/content-store.js";
import type { Runtime } from "./runtime.js";
import { RuntimeUnavailableError, UsageError } from "../errors.js";
import { stateOwner } from "../store/cache/state-owner.js";

export type RuntimeChoice = "docker" | "host" | "auto";

export interface OpenRuntimeOptions {
  choice: RuntimeChoice;
  store: ContentStore;
  runId: string;
  env: GantryEnv;
}

export interface OpenedRuntime {
  runtime: Runtime;
  /** Which runtime and why, for the first line a person sees. */
  note: string;
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
  });
  return { runtime, note: `runtime: docker (engine at ${conn.address})` };
}

// The host runtime, with the sandbox it could get (bubblewrap) or why it runs plain processes.
async function openHost(opts: OpenRuntimeOptions): Promise<{ runtime: Runtime; mode: string }> {
  const { HostRuntime } = await import("./host/host-runtime.js");
  const runtime = await HostRuntime.create({
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
