// One development database per project. `dev start` runs its PostgreSQL on the same data volume the db tasks use,
// so `db migrate`/`db seed` before `dev start` are what the dev server sees; while that server runs, the db tasks
// and shells talk to it instead of starting a second server on the same data directory (which would corrupt it).
import { createHash } from "node:crypto";
import { dag, type Service } from "../../sdk/index.js";
import {
  deployRunContext,
  deploymentRuntimeIfAny,
  type DeploymentRuntime,
} from "../../engine/api/index.js";
import { postgresOf, postgresService } from "./postgres.js";
import type { ToolchainPlan } from "./toolchain-plan.js";

/** Every dev container carries it: `dev stop` removes what has it, and nothing else. */
export const DEV_LABEL = "gantry.dev";
const ROLE_LABEL = "gantry.dev.role";

// A project folder's id in the names of its dev environment and database.
function projectId(projectDir: string): string {
  return createHash("sha256").update(projectDir).digest("hex").slice(0, 12);
}

/** One dev environment per project folder: the label value and the names of its network and containers. */
export function devIds(plan: ToolchainPlan, projectDir: string) {
  const id = projectId(projectDir);
  const base = `gantry-dev-${plan.name}-${id}`;
  const labels = { [DEV_LABEL]: id, "gantry.dev.project": plan.name };
  return {
    labels,
    postgresLabels: { ...labels, [ROLE_LABEL]: "postgres" },
    network: base,
    app: `${base}-app`,
    postgres: `${base}-postgres`,
    image: `gantry-dev/${plan.name}:${id}`,
  };
}

/**
 * The development database's volume: it outlives every run until `db reset` drops the database in it. One per project
 * folder, as the dev environment is: a cache volume's name is global (shared by every project), and two checkouts of
 * one project (a second clone, a git worktree) sharing it would see, and `db reset`, each other's data.
 */
export function devVolumeName(plan: ToolchainPlan): string {
  return `${plan.name}-postgres-data-${projectId(deployRunContext("the development database").projectDir)}`;
}

/** The engine volume of the development database: the db tasks' cache volume, mounted by `dev start` too. */
export function devDataVolume(plan: ToolchainPlan, engine: DeploymentRuntime): string {
  return engine.cacheVolume(devVolumeName(plan));
}

/** Where this machine reaches the dev environment's running PostgreSQL, if `dev start` left one running. */
export async function runningDevPostgres(
  plan: ToolchainPlan,
): Promise<{ host: string; port: number } | undefined> {
  const engine = deploymentRuntimeIfAny("the development database");
  if (!engine) return undefined; // the host runtime has no dev environment
  const ids = devIds(plan, deployRunContext("the development database").projectDir);
  const found = (await engine.list(ids.postgresLabels)).find((c) => c.running);
  const at = found?.hostPorts["5432/tcp"];
  return at && { host: at.host === "0.0.0.0" ? "127.0.0.1" : at.host, port: at.port };
}

/** The development database as a service bound as `postgres`: the running dev server's, or one for this run. */
export async function devDatabase(plan: ToolchainPlan): Promise<Service> {
  const running = await runningDevPostgres(plan);
  if (running)
    return dag.host().service([{ frontend: 5432, backend: running.port }], { host: running.host });
  return postgresService(postgresOf(plan), plan.db.database, devVolumeName(plan));
}
