// Opening a run: the content store, the runtime (chosen in runtime/), the per-machine secret key, and the Session over them.
import path from "node:path";
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import type { GantryEnv } from "../env.js";
import type { EventSink } from "./events.js";
import type { TerminalHost } from "./session.js";
import { openRuntime, type PreparedRuntime, type RuntimeChoice } from "../runtime/open-runtime.js";
import { ContentStore } from "../store/content-store.js";
import { Session } from "./session.js";
import type { BindingOps, ImageOps } from "./session-parts.js";
import { holdRunLease } from "../store/cache/run-leases.js";
import { enforceCacheLimit } from "./cache/cache-limit.js";

export type { PreparedRuntime, RuntimeChoice };

export interface OpenSessionOptions {
  runtime: RuntimeChoice;
  /** What was started for the runtime ahead of the session (runtime/open-runtime.ts prepareRuntime). */
  prepared?: PreparedRuntime;
  /** The project (module context) directory; host paths are relative to `cwd`. */
  projectDir: string;
  cwd?: string;
  events: EventSink;
  env: GantryEnv;
  /** `--dry-run`: plan from cache, run nothing. */
  dryRun?: boolean;
  /** Per-exec variables outside the key (TRACEPARENT). */
  stepEnv?: (stepId: string) => Record<string, string> | undefined;
  /** The person's terminal for shells (`gantry call -i`, `Container.terminal()`). */
  terminals?: TerminalHost;
}

/** Open a run on the chosen runtime; `note` says which runtime and why, for the person watching. */
export async function openSession(
  opts: OpenSessionOptions,
): Promise<{ session: Session; note: string }> {
  const store = new ContentStore(path.join(opts.env.stateDir, "store"));
  await store.init();
  const runId = `${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}-${randomBytes(3).toString("hex")}`;
  // Before anything is made or used: `cache prune|gc` in another process keeps what this run touches from now on.
  const started = Date.now();
  const releaseLease = await holdRunLease(opts.env.stateDir, runId, started);
  let opened;
  try {
    opened = await openRuntime({
      choice: opts.runtime,
      store,
      runId,
      env: opts.env,
      ...(opts.prepared ? { prepared: opts.prepared } : {}),
    });
  } catch (e) {
    await releaseLease();
    throw e;
  }
  const { runtime, note } = opened;
  // eslint-disable-next-line prefer-const -- the session is made after the hook that reads it
  let session: Session;
  const afterClose = async (): Promise<string | undefined> => {
    await releaseLease();
    if (opts.dryRun) return undefined;
    const outcome = await enforceCacheLimit({
      stateDir: opts.env.stateDir,
      limit: opts.env.cacheLimit,
      objects: runtime.cacheObjects,
      storeBytesAdded: store.bytesAdded,
      snapshots: session.snapshotsMade,
      since: started,
      volumesUsed: [...session.cacheVolumesUsed],
      hostVolumes: runtime.name === "host",
    });
    if (!outcome?.collected) return undefined;
    const { describeCollection } = await import("./cache/describe-collection.js");
    return describeCollection(outcome);
  };
  session = new Session({
    runtime,
    images: imageOps,
    bindings: bindingOps,
    store,
    events: opts.events,
    runId,
    cwd: opts.cwd ?? process.cwd(),
    parallelism: opts.env.parallelism ?? 8,
    secretKey: await loadSecretKey(opts.env.stateDir),
    serviceTimeoutMs: opts.env.serviceTimeoutSec ? opts.env.serviceTimeoutSec * 1000 : undefined,
    projectDir: opts.projectDir,
    env: opts.env,
    dryRun: opts.dryRun,
    stepEnv: opts.stepEnv,
    afterClose,
    ...(opts.terminals ? { terminals: opts.terminals } : {}),
  });
  return { session, note };
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

// Images (builds, imports, publishing) and services are loaded by the first run that uses them: a run of cached steps
// without either never loads their code.
const imageOps: ImageOps = {
  resolveExternal: async (s, kind, payload) =>
    (await import("./images/index.js")).imageOps.resolveExternal(s, kind, payload),
  publish: async (s, state, ref) =>
    (await import("./images/index.js")).imageOps.publish(s, state, ref),
  tarball: async (s, state) => (await import("./images/index.js")).imageOps.tarball(s, state),
};

const bindingOps: BindingOps = {
  digests: async (s, state) =>
    state.services.length === 0
      ? []
      : (await import("./services/service-calls.js")).bindingOps.digests(s, state),
  start: async (s, state) =>
    (await import("./services/service-calls.js")).bindingOps.start(s, state),
};
