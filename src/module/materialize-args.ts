// Inside the run, turns checked arguments into values and SDK objects (a path becomes a Directory, env:X a Secret).
import { UsageError } from "../errors.js";
import { toKebabCase } from "./names.js";
import type { SdkModule } from "./load-module.js";
import type { PreparedArg } from "./prepare-args.js";
import { runSecretCommand } from "./secret-source.js";

export interface MaterializeContext {
  dag: SdkModule["dag"];
  cwd: string;
  hostEnv: Readonly<Record<string, string | undefined>>;
}

// Dagger's `tcp://host:port` service argument: that port of this machine as a service (`dag.host().service`).
// A module resolving an SDK without it (an older build) gets a clear error rather than a TypeError.
function hostService(
  ctx: MaterializeContext,
  arg: Extract<PreparedArg, { kind: "service" }>,
): unknown {
  const host = ctx.dag.host() as unknown as {
    service?: (ports: { frontend: number; backend: number }[], opts: { host: string }) => unknown;
  };
  if (typeof host.service !== "function") {
    throw new UsageError(
      `service arguments (${arg.url}) are not supported yet: start the service inside the pipeline instead`,
    );
  }
  return host.service([{ frontend: arg.port, backend: arg.port }], { host: arg.host });
}

/** One prepared argument as the value the function receives; `undefined` lets its own default apply. */
export async function materializeArg(arg: PreparedArg, ctx: MaterializeContext): Promise<unknown> {
  const { dag } = ctx;
  switch (arg.kind) {
    case "absent":
      return undefined;
    case "value":
      return arg.value;
    case "list":
      return Promise.all(arg.items.map((a) => materializeArg(a, ctx)));
    case "directory":
      return dag.host().directory(arg.path, arg.exclude ? { exclude: arg.exclude } : {});
    case "gitDirectory": {
      const repo = dag.git(arg.url);
      const tree = (arg.ref ? repo.ref(arg.ref) : repo.head()).tree();
      const dir = arg.subdir ? tree.directory(arg.subdir) : tree;
      return arg.exclude ? dir.filter({ exclude: arg.exclude }) : dir;
    }
    case "file":
      return dag.host().file(arg.path);
    case "container":
      return dag.container().from(arg.ref);
    case "cacheVolume":
      return dag.cacheVolume(arg.name);
    case "service":
      return hostService(ctx, arg);
    case "secret": {
      const src = arg.source;
      if (src.from === "file") return dag.host().setSecretFile(arg.name, src.path);
      const value =
        src.from === "env"
          ? (ctx.hostEnv[src.name] ?? "")
          : await runSecretCommand(toKebabCase(arg.name), src.command, ctx.cwd);
      return dag.setSecret(arg.name, value);
    }
  }
}

/** Every argument of a call, in parameter order. */
export function materializeArgs(
  args: readonly PreparedArg[],
  ctx: MaterializeContext,
): Promise<unknown[]> {
  return Promise.all(args.map((a) => materializeArg(a, ctx)));
}
