// Snapshots made on first need. An exec whose filesystem nothing reads is never committed (the docker runtime keeps
// its stopped container until the run closes), and a cached exec whose filesystem was not kept then runs again only
// if something reads it. The engine passes a stand-in around like any snapshot; the runtime only ever sees real ones.
import type { Runtime, Snapshot } from "../runtime/runtime.js";

const PREFIX = "gantry-lazy:";

/** Whether the snapshot is a stand-in: never to be persisted, put in a key, or given to a runtime. */
export function isStandIn(snapshot: Snapshot): boolean {
  return snapshot.startsWith(PREFIX);
}

/** A stand-in: how to make its snapshot, the making once begun, and a signal of that beginning. */
interface StandIn {
  make: () => Promise<Snapshot>;
  made?: Promise<Snapshot>;
  begun: Promise<void>;
  begin: () => void;
}

export class LazySnapshots {
  private readonly standIns = new Map<string, StandIn>();
  private count = 0;

  /** A stand-in for the snapshot `make` gives, made when a runtime call first needs it. */
  defer(make: () => Promise<Snapshot>): Snapshot {
    const handle = `${PREFIX}${++this.count}`;
    let begin!: () => void;
    const begun = new Promise<void>((resolve) => (begin = resolve));
    this.standIns.set(handle, { make, begun, begin });
    return handle;
  }

  /** Settles when the stand-in's making begins (at once for anything that is not a stand-in). */
  begins(snapshot: Snapshot): Promise<void> {
    return this.standIns.get(snapshot)?.begun ?? Promise.resolve();
  }

  /** The stand-in's making, once it has begun. */
  making(snapshot: Snapshot): Promise<Snapshot> | undefined {
    return this.standIns.get(snapshot)?.made;
  }

  /** The snapshot itself: a stand-in's is made now (once, also when many ask at once); any other is as given. */
  resolve(snapshot: Snapshot): Promise<Snapshot> {
    const standIn = this.standIns.get(snapshot);
    if (!standIn) return Promise.resolve(snapshot);
    if (!standIn.made) {
      standIn.made = standIn.make();
      standIn.begin();
    }
    return standIn.made;
  }
}

/** The runtime with every snapshot it is given resolved first: the only place stand-ins turn into snapshots. */
export function resolvingRuntime(rt: Runtime, lazy: LazySnapshots): Runtime {
  const r = (snapshot: Snapshot) => lazy.resolve(snapshot);
  const { images, services, deployments } = rt;
  return override(rt, {
    exec: async (spec) => rt.exec({ ...spec, base: await r(spec.base) }),
    applyOps: async (base, ops, signal) => rt.applyOps(await r(base), ops, signal),
    readDirectory: async (snapshot, p, signal) => rt.readDirectory(await r(snapshot), p, signal),
    readFile: async (snapshot, p, signal) => rt.readFile(await r(snapshot), p, signal),
    exportImage: async (snapshot, config, dest, signal) =>
      rt.exportImage(await r(snapshot), config, dest, signal),
    ...(images && {
      images: override(images, {
        publish: async (snapshot, ...rest) => images.publish(await r(snapshot), ...rest),
      }),
    }),
    ...(services && {
      services: override(services, {
        startService: async (spec) => services.startService({ ...spec, base: await r(spec.base) }),
      }),
    }),
    ...(deployments && {
      deployments: override(deployments, {
        tagImage: async (snapshot, ...rest) => deployments.tagImage(await r(snapshot), ...rest),
      }),
    }),
  });
}

// `target` with some members replaced; the rest are its own (methods bound to it, so class fields keep working).
function override<T extends object>(target: T, members: Partial<T>): T {
  return new Proxy(target, {
    get(t, key) {
      if (Object.hasOwn(members, key)) return members[key as keyof T];
      const value: unknown = Reflect.get(t, key, t);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
