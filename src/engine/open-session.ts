// Choosing and starting a runtime for a run: docker when an engine answers, else the host runtime, always saying which.
import path from "node:path";
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import type { GantryEnv } from "../env.js";
import type { EventSink } from "./events.js";
import type { Runtime } from "../runtime/runtime.js";
import { ContentStore } from "../store/content-store.js";
import { Session } from "./session.js";
import { RuntimeUnavailableError, UsageError } from "../errors.js";

export type RuntimeChoice = "docker" | "host" | "auto";

export interface OpenSessionOptions {
  runtime: RuntimeChoice;
  /** The project (module context) directory; host paths are relative to `cwd`. */
  projectDir: string;
  cwd?: string;
  events: EventSink;
  env: GantryEnv;
}

/** Open a run on the chosen runtime; `note` says which runtime and why, for the person watching. */
export async function openSession(
  opts: OpenSessionOptions,
): Promise<{ session: Session; note: string }> {
  if (!["docker", "host", "auto"].includes(opts.runtime))
    throw new UsageError(
      `unknown runtime ${JSON.stringify(opts.runtime)}: use docker, host or auto`,
    );
  const store = new ContentStore(path.join(opts.env.stateDir, "store"));
  await store.init();
  const runId = `${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}-${randomBytes(3).toString("hex")}`;
  const { runtime, note } = await pickRuntime(opts, store, runId);
  const session = new Session({
    runtime,
    store,
    events: opts.events,
    runId,
    cwd: opts.cwd ?? process.cwd(),
    parallelism: opts.env.parallelism ?? 8,
    secretKey: await loadSecretKey(opts.env.stateDir),
    serviceTimeoutMs: opts.env.serviceTimeoutSec ? opts.env.serviceTimeoutSec * 1000 : undefined,
  });
  return { session, note };
}

async function pickRuntime(
  opts: OpenSessionOptions,
  store: ContentStore,
  runId: string,
): Promise<{ runtime: Runtime; note: string }> {
  if (opts.runtime !== "host") {
    try {
      const { connectDocker } = await import("../runtime/docker/connect-docker.js");
      const { DockerRuntime } = await import("../runtime/docker/docker-runtime.js");
      const { reapStale } = await import("../runtime/docker/reaper.js");
      const conn = await connectDocker(opts.env);
      await reapStale(conn.docker).catch(() => undefined);
      const runtime = new DockerRuntime({
        docker: conn.docker,
        store,
        runId,
        isLocalEngine: conn.isLocal,
      });
      return { runtime, note: `runtime: docker (engine at ${conn.address})` };
    } catch (e) {
      if (opts.runtime === "docker" || !(e instanceof RuntimeUnavailableError)) throw e;
      const host = await openHost(opts, store, runId);
      return {
        runtime: host.runtime,
        note: `runtime: host (${host.mode}) — ${e.message.split(":")[0]}`,
      };
    }
  }
  const host = await openHost(opts, store, runId);
  return { runtime: host.runtime, note: `runtime: host (${host.mode})` };
}

async function openHost(
  opts: OpenSessionOptions,
  store: ContentStore,
  runId: string,
): Promise<{ runtime: Runtime; mode: string }> {
  const { HostRuntime } = await import("../runtime/host/host-runtime.js");
  const runtime = await HostRuntime.create({
    store,
    runId,
    stateDir: opts.env.stateDir,
    hostPath: opts.env.path,
  });
  const mode =
    runtime.mode === "bubblewrap"
      ? "bubblewrap"
      : `plain processes: ${runtime.modeReason ?? "no bubblewrap"}`;
  return { runtime, mode };
}

// The key for hashing secret values into cache keys: random per machine, never leaves the state dir.
async function loadSecretKey(stateDir: string): Promise<Uint8Array> {
  const file = path.join(stateDir, "secret-key");
  try {
    const k = await readFile(file);
    if (k.length === 32) return k;
  } catch {
    // first run on this machine
  }
  await mkdir(stateDir, { recursive: true });
  const key = randomBytes(32);
  try {
    const fh = await open(file, "wx", 0o600);
    await fh.writeFile(key);
    await fh.close();
    return key;
  } catch {
    return readFile(file); // another process won the race
  }
}
