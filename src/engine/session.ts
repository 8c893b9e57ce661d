// A run: the runtime, store, events and secrets one invocation uses, and the scope SDK evaluators find them in.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Runtime, TerminalIo } from "../runtime/runtime.js";
import type { GantryEnv } from "../env.js";
import type { ContentStore } from "../store/content-store.js";
import type { EventSink } from "./events.js";
import { Scrubber } from "./scrubber.js";
import { Semaphore, SingleFlight } from "./scheduler.js";
import type { BindingOps, ImageOps, SessionParts } from "./session-parts.js";
import { CancelledError, InternalError } from "../errors.js";
import { LazySnapshots, resolvingRuntime } from "./lazy-snapshots.js";

export interface SessionInit extends SessionParts {
  runtime: Runtime;
  store: ContentStore;
  events: EventSink;
  runId: string;
  /** Base for relative host paths (`dag.host().directory(".")`). */
  cwd: string;
  /** How many execs may run at once. */
  parallelism: number;
  /** Per-machine key for the keyed hash of secret values in cache keys. */
  secretKey: Uint8Array;
  /** How long a service may take to become ready (GANTRY_SERVICE_TIMEOUT). */
  serviceTimeoutMs?: number;
  /** The project the run is for (its state lives in `<stateDir>/projects/<id>/`); defaults to `cwd`. */
  projectDir?: string;
  /** The environment the run was opened with (state dir, deploy settings); read once in env.ts. */
  env?: GantryEnv;
  /** `--dry-run`: plan from cache, run nothing (steps that would run end `would-run`). */
  dryRun?: boolean;
  /** Variables for one exec's process that are in neither its key nor its image (TRACEPARENT from the exporter). */
  stepEnv?: (stepId: string) => Record<string, string> | undefined;
  /** Run once the runtime is closed (the run's lease is released, the cache limit checked); may return a note. */
  afterClose?: () => Promise<string | undefined>;
  /** The person's terminal, when the run has one to lend to shells. */
  terminals?: TerminalHost;
}

/** The person's terminal, lent to shells (`gantry call -i`, `Container.terminal()`); absent when there is none. */
export interface TerminalHost {
  /** `gantry call -i`: open a shell where an exec fails. */
  readonly onFailure: boolean;
  /** Lend the terminal to `fn` (one shell at a time), with `intro` said first and progress output held meanwhile. */
  use<T>(intro: string, fn: (io: TerminalIo) => Promise<T>): Promise<T>;
}

/** Hooks the session runs at close (services stop, temp files go) before the runtime removes the rest. */
export type Closer = () => Promise<void>;

// The SDK is a set of global, lazily evaluated objects (as in Dagger); evaluators find their run here.
const current = new AsyncLocalStorage<Session>();

export class Session {
  /** The run's runtime, seen through `lazy`: every snapshot it is given is a real one. */
  readonly runtime: Runtime;
  /** Snapshots made on first need (an exec's filesystem that nothing may ever read). */
  readonly lazy = new LazySnapshots();
  readonly store: ContentStore;
  readonly events: EventSink;
  readonly runId: string;
  readonly cwd: string;
  readonly secretKey: Uint8Array;
  readonly serviceTimeoutMs?: number;
  readonly projectDir: string;
  readonly env?: GantryEnv;
  readonly dryRun: boolean;
  readonly terminals?: TerminalHost;
  private readonly stepEnvOf?: SessionInit["stepEnv"];
  private readonly afterClose?: SessionInit["afterClose"];
  /**
   * Images this run made (exec snapshots, builds, imports; not cached ones): what it added on the engine, for the
   * size limit's after-run estimate.
   */
  readonly snapshotsMade: string[] = [];
  /** Cache volumes (by cache name) this run's execs, services and shells mounted: sized after the run. */
  readonly cacheVolumesUsed = new Set<string>();
  /** The digests of the execs this run has evaluated so far, served from cache or run (for explaining misses). */
  readonly execsMet = new Set<string>();
  /** What closing the run had to say (the cache went over its limit and was collected), for the person watching. */
  closeNote?: string;
  /** Evaluations in flight, so a dry run can wait for parallel branches to finish planning. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Image builds, imports, tarballs and publishing. */
  readonly images: ImageOps;
  /** Service bindings of execs. */
  readonly bindings: BindingOps;
  readonly scrubber = new Scrubber();
  readonly limiter: Semaphore;
  /** Memo of evaluated values by digest or node for this run; see evaluators. */
  readonly flights = new SingleFlight<unknown>();
  readonly memo = new WeakMap<object, Promise<unknown>>();
  /** Work done once per run by a string key (a git repository fetched once, whatever asks for it). */
  private readonly onceByKey = new Map<string, Promise<unknown>>();
  private readonly controller = new AbortController();
  private readonly closers: Closer[] = [];
  private closed?: Promise<void>;
  private stepCounter = 0;

  constructor(init: SessionInit) {
    this.runtime = resolvingRuntime(init.runtime, this.lazy);
    this.store = init.store;
    this.events = init.events;
    this.runId = init.runId;
    this.cwd = init.cwd;
    this.secretKey = init.secretKey;
    this.serviceTimeoutMs = init.serviceTimeoutMs;
    this.projectDir = init.projectDir ?? init.cwd;
    this.env = init.env;
    this.dryRun = init.dryRun ?? false;
    if (init.terminals) this.terminals = init.terminals;
    this.stepEnvOf = init.stepEnv;
    this.afterClose = init.afterClose;
    this.images = init.images;
    this.bindings = init.bindings;
    this.limiter = new Semaphore(init.parallelism);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Run fn with this session as the one SDK evaluators use. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return current.run(this, fn);
  }

  /** Stop everything in flight: running execs are killed and their containers removed. */
  cancel(reason = "the run was cancelled"): void {
    if (!this.controller.signal.aborted) this.controller.abort(new CancelledError(reason));
  }

  /** Throw if the run was cancelled; evaluators call it between steps. */
  throwIfCancelled(): void {
    if (this.controller.signal.aborted) throw this.controller.signal.reason as Error;
  }

  onClose(closer: Closer): void {
    this.closers.push(closer);
  }

  /** Remove everything the run created. Safe to call more than once. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      for (const c of this.closers.reverse()) {
        try {
          await c();
        } catch {
          // keep closing the rest; a failed stop must not leak the remaining resources
        }
      }
      try {
        await this.runtime.close();
      } finally {
        this.closeNote = await this.afterClose?.().catch(
          (e: unknown) =>
            `cache: could not check the size limit: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    })();
    return this.closed;
  }

  scrub(text: string): string {
    return this.scrubber.scrub(text);
  }

  /** Extra variables for the process of step `stepId` (never keyed, never committed). */
  stepEnv(stepId: string): Record<string, string> | undefined {
    return this.stepEnvOf?.(stepId);
  }

  /** Remember an evaluation in flight until it settles (see settle()). */
  track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
  }

  /**
   * Wait until no tracked evaluation is in flight. A dry run stops its function at the first step that would run,
   * while `Promise.all` siblings are still planning theirs; this lets them finish so the plan is whole.
   */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.allSettled([...this.inFlight]);
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Run `fn` the first time `key` is asked for in this run; later callers share its promise. */
  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.onceByKey.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.onceByKey.set(key, p);
    }
    return p;
  }

  nextStepId(): string {
    return `s${++this.stepCounter}`;
  }
}

/** The session of the calling async context, if any. */
export function currentSession(): Session | undefined {
  return current.getStore();
}

/** The session of the calling async context; evaluating outside one is a usage bug with a fix to name. */
export function requireSession(what: string): Session {
  const s = current.getStore();
  if (!s)
    throw new InternalError(
      `${what} was evaluated outside a Gantry run: call it from a module function run by \`gantry call\`, or inside connect(async () => …)`,
    );
  return s;
}
