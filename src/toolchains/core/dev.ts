// `gantry call dev start|stop|shell|up`: the project's dev server (and its PostgreSQL) left running on the engine.
import path from "node:path";
import { func, object, UsageError, type Container, type Directory } from "../../sdk/index.js";
import {
  closeAfter,
  deploymentRuntime,
  deployRunContext,
  deployStep,
  releaseImage,
  waitDeploymentReady,
  type DeployedContainer,
  type DeploymentRuntime,
} from "../../engine/api/index.js";
import { commandArgv, showCommand } from "./command.js";
import { onTerminal } from "./run-task.js";
import { databaseUrl, postgresOf, withPostgres } from "./postgres.js";
import { devDatabase, devDataVolume, devIds } from "./dev-database.js";
import type { ToolchainPlan } from "./toolchain-plan.js";

/** What the dev group needs from its toolchain. */
export interface DevHost {
  readonly source: Directory;
  plan(): Promise<ToolchainPlan>;
  workspace(): Promise<Container>;
  clean(): Promise<string>;
  setup(): Promise<Container>;
}

const DEFAULT_READY_TIMEOUT_S = 60;
// The cleanup of a failed or interrupted start (stopping the containers) is waited for at most this long.
const CLEANUP_CAP_MS = 30_000;

// How long dev start waits for the server: the flag, else the module's dev.readyTimeout, else 60 s.
function readyTimeoutMs(flag: number, option: number | undefined): number {
  const s = flag === -1 ? (option ?? DEFAULT_READY_TIMEOUT_S) : flag;
  if (!Number.isFinite(s) || s <= 0)
    throw new UsageError(
      `the dev server's ready timeout must be a number of seconds above 0, got ${String(s)}`,
      { hint: "set --ready-timeout=N or dev.readyTimeout (default 60)" },
    );
  return s * 1000;
}

// What to try when the process runs but nothing answers on its first port: it listens elsewhere, or on loopback only.
function notListeningHint(c: DeployedContainer, port: number | undefined): string {
  const at = c.hostPorts[`${port}/tcp`];
  const url = at ? ` (published at http://${at.host}:${at.port})` : "";
  return `nothing answered on container port ${port}${url}: make the server listen there on all interfaces (0.0.0.0, not localhost) — it is given PORT=${port} unless the module's env sets PORT — or set dev.ports to the port it listens on; if it only starts slowly, raise dev.readyTimeout or --ready-timeout (seconds)`;
}

// The host folder the source came from: it is bind-mounted so edits reach the running server.
function hostFolder(source: Directory, projectDir: string): string {
  const node = source._node as { op: string; path?: unknown };
  if (node.op !== "host" || typeof node.path !== "string")
    throw new UsageError("dev start mounts the source for hot reload, so it must be a host folder");
  return path.resolve(projectDir, node.path);
}

/** The development environment: the app's dev server and its services, running after the CLI returns. */
@object()
export class Dev {
  /** @internal */
  readonly host: DevHost;

  constructor(host: DevHost) {
    this.host = host;
  }

  /**
   * Start the dev server (and PostgreSQL when configured) and leave them running, the source mounted for hot reload.
   * Returns once the server runs and its first port accepts connections; one that exits first, or does not listen
   * in time, fails and nothing is left running.
   * @param hostPort the host port for the server's first port (default: the same number; 0: any free port)
   * @param readyTimeout seconds to wait for the server to listen (default: dev.readyTimeout, else 60)
   */
  @func()
  async start(hostPort = -1, readyTimeout = -1): Promise<string> {
    const plan = await this.host.plan();
    const cmd = plan.dev.command;
    if (!cmd)
      throw new UsageError(`no dev server is configured for ${plan.language}`, {
        hint: 'set dev: { command: "…", ports: [3000] } in the module (e.g. "bun --watch src/server.ts")',
      });
    const timeoutMs = readyTimeoutMs(readyTimeout, plan.dev.readyTimeout);
    const ctx = deployRunContext("dev start");
    const engine = deploymentRuntime("dev start");
    const ids = devIds(plan, ctx.projectDir);
    const folder = hostFolder(this.host.source, ctx.projectDir);
    await this.removeAll(engine, ids.labels);
    // a start that fails (or is interrupted: the run's close waits for this) leaves nothing running
    let started!: (p: Promise<unknown>) => void;
    closeAfter(new Promise((r) => (started = r)), CLEANUP_CAP_MS);
    const work = this.startAll(engine, plan, ids, folder, hostPort, timeoutMs).catch(
      async (e: unknown) => {
        // killed at once: nothing of a server that never came up needs a graceful stop
        await this.removeAll(engine, ids.labels, 0).catch(() => undefined);
        await engine.removeNetwork(ids.network).catch(() => undefined);
        throw e;
      },
    );
    started(work);
    return work;
  }

  // PostgreSQL (when configured), then the server, each waited for before the next; the lines to print.
  private async startAll(
    engine: DeploymentRuntime,
    plan: ToolchainPlan,
    ids: ReturnType<typeof devIds>,
    folder: string,
    hostPort: number,
    timeoutMs: number,
  ): Promise<string> {
    const cmd = plan.dev.command as NonNullable<ToolchainPlan["dev"]["command"]>;
    const ctx = deployRunContext("dev start");
    const env: string[] = Object.entries(plan.env).map(([k, v]) => `${k}=${v}`);
    await engine.ensureNetwork(ids.network, ids.labels);
    const lines: string[] = [];
    if (plan.postgres) {
      const pg = postgresOf(plan);
      const volume = devDataVolume(plan, engine);
      await deployStep(`dev start: postgres ${pg.image}`, async () => {
        const image = await engine.ensureImage(pg.image, ctx.signal);
        const pgEnv = [
          `POSTGRES_USER=${pg.user}`,
          `POSTGRES_PASSWORD=${pg.password}`,
          `POSTGRES_DB=${plan.db.database}`,
        ];
        const c = await engine.start({
          name: ids.postgres,
          image,
          network: ids.network,
          labels: ids.postgresLabels,
          env: pgEnv,
          aliases: ["postgres"],
          // the db tasks' data: what `db migrate` and `db seed` made is what the app sees; published on loopback so
          // the db tasks talk to this server while it runs instead of starting another on the same data
          mounts: [{ type: "volume", source: volume, target: "/var/lib/postgresql/data" }],
          publish: [{ backend: 5432, hostIp: "127.0.0.1" }],
          signal: ctx.signal,
        });
        // an app that connects at boot would crash on a database still initialising
        await waitDeploymentReady(c, {
          subject: `the dev database ${pg.image}`,
          port: 5432,
          timeoutMs,
          hints: {
            exited:
              "its output above says why it stopped (a data volume from another PostgreSQL version?)",
            notListening:
              "if it only needs longer, raise dev.readyTimeout or --ready-timeout (seconds)",
          },
        });
        await engine.keepRunning(c.id);
      });
      env.push(
        `DATABASE_URL=${databaseUrl(pg, plan.db.database)}`,
        "PGHOST=postgres",
        `PGUSER=${pg.user}`,
      );
      env.push(`PGPASSWORD=${pg.password}`, `PGDATABASE=${plan.db.database}`);
      lines.push(
        `postgres: ${ids.postgres} (as postgres:5432 for the app; data in volume ${volume}, shared with the db tasks)`,
      );
    }
    const ws = await this.host.workspace();
    const app = await deployStep(`dev start: ${showCommand(cmd)}`, async () => {
      const { id: image } = await releaseImage(ws._state, ids.image);
      // each top-level entry of the source over its place in the workdir: edits are seen at once, while what the
      // image installed beside them (node_modules, deps/) stays visible
      const entries = (await this.host.source.entries()).filter(
        (e) => !plan.exclude.some((x) => x === e || x === `${e}/`),
      );
      const ports = plan.dev.ports ?? [];
      // PORT, as Heroku, Cloud Run and Fly give it: the server listens where readiness and the URL look, unless the
      // module's env sets it
      const appEnv =
        ports[0] !== undefined && !env.some((e) => e.startsWith("PORT="))
          ? [...env, `PORT=${ports[0]}`]
          : env;
      const c = await engine.start({
        name: ids.app,
        image,
        network: ids.network,
        labels: ids.labels,
        env: appEnv,
        workdir: plan.workdir,
        entrypoint: [],
        cmd: commandArgv(cmd),
        mounts: entries.map((e) => ({
          type: "bind" as const,
          source: path.join(folder, e),
          target: path.posix.join(plan.workdir, e),
        })),
        // loopback, as the database: dev start needs a local engine (bind mounts), and a dev server is not for the LAN
        publish: ports.map((p, i) => ({
          backend: p,
          hostIp: "127.0.0.1",
          ...(i === 0 && hostPort === 0
            ? {}
            : { frontend: i === 0 && hostPort > 0 ? hostPort : p }),
        })),
        signal: ctx.signal,
      });
      // no restart policy until it is up: a crash shows as an exit (with its code), not as restarts forever
      await waitDeploymentReady(c, {
        subject: `the dev server \`${showCommand(cmd)}\``,
        port: ports[0],
        timeoutMs,
        hints: {
          exited:
            "its output above says why it stopped: fix dev.command (or what it needs), then dev start again",
          notListening: notListeningHint(c, ports[0]),
        },
      });
      await engine.keepRunning(c.id);
      return c;
    });
    lines.unshift(
      `app: ${ids.app} running ${showCommand(cmd)} in ${plan.workdir}, ${folder} mounted`,
    );
    for (const [port, at] of Object.entries(app.hostPorts))
      lines.push(`  ${port} → http://${at.host === "0.0.0.0" ? "127.0.0.1" : at.host}:${at.port}`);
    lines.push("stop it with: gantry call dev stop");
    return lines.join("\n");
  }

  /** Stop and remove everything `dev start` started for this project (containers and network; data volume kept). */
  @func()
  async stop(): Promise<string> {
    const plan = await this.host.plan();
    const ctx = deployRunContext("dev stop");
    const engine = deploymentRuntime("dev stop");
    const ids = devIds(plan, ctx.projectDir);
    const removed = await this.removeAll(engine, ids.labels);
    await engine.removeNetwork(ids.network);
    return removed.length === 0
      ? "nothing was running"
      : `stopped and removed: ${removed.join(", ")} (network ${ids.network})`;
  }

  /**
   * Open a shell in the project's container (PostgreSQL bound when configured); `--cmd` for a REPL (`bun repl`, `iex -S mix`).
   * @param cmd what to run instead of sh
   */
  @func()
  async shell(cmd = ""): Promise<string> {
    const plan = await this.host.plan();
    let c = await this.host.workspace();
    if (plan.postgres) {
      const pg = postgresOf(plan);
      c = withPostgres(c, pg, plan.db.database, await devDatabase(plan));
    }
    await onTerminal(
      "dev shell (a shell in the project's container)",
      "without one, use a task of the module instead (gantry functions lists them)",
      () => c.terminal(cmd ? { cmd: ["sh", "-c", cmd] } : {}).sync(),
    );
    return "shell closed";
  }

  /** The dev workflow: clean, set up again, start. */
  @func()
  async up(hostPort = -1, readyTimeout = -1): Promise<string> {
    await this.host.clean();
    await this.host.setup();
    return this.start(hostPort, readyTimeout);
  }

  // Every container of this dev environment, stopped and removed; their names.
  private async removeAll(
    engine: DeploymentRuntime,
    labels: Record<string, string>,
    stopTimeoutSec = 5,
  ): Promise<string[]> {
    const found = await engine.list(labels);
    await Promise.all(found.map((c) => engine.remove(c.id, stopTimeoutSec)));
    return found.map((c) => c.name);
  }
}
