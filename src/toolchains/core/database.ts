// `gantry call db migrate`: the project's own database commands against a PostgreSQL whose data outlives the run
// (the dev environment's server while `dev start` runs one: dev-database.ts).
import { dag, func, object, UsageError, type Container } from "../../sdk/index.js";
import { commandArgv, fillCommand, showCommand, type Command } from "./command.js";
import { postgresOf, withPostgres, type PostgresPlan } from "./postgres.js";
import { devDatabase } from "./dev-database.js";
import { onTerminal, runTask } from "./run-task.js";
import type { ToolchainPlan } from "./toolchain-plan.js";
import { uncached } from "./workspace.js";

/** What the db group needs from its toolchain: the plan and the installed project. */
export interface DatabaseHost {
  plan(): Promise<ToolchainPlan>;
  workspace(): Promise<Container>;
}

// Both streams of a finished exec, as a person would have seen them.
async function outputOf(c: Container): Promise<string> {
  const [out, err] = await Promise.all([c.stdout(), c.stderr()]);
  return [out, err].filter((s) => s.trim() !== "").join("\n");
}

/** The development database: create, migrate, rollback, seed, reset and shell, each wrapping the project's command. */
@object()
export class Database {
  /** @internal */
  readonly host: DatabaseHost;

  constructor(host: DatabaseHost) {
    this.host = host;
  }

  // The server with the project's data volume, and the database the commands act on.
  private async target(): Promise<{ plan: ToolchainPlan; pg: PostgresPlan; db: string }> {
    const plan = await this.host.plan();
    return { plan, pg: postgresOf(plan), db: plan.db.database };
  }

  // The project's command in its container, bound to the development database; never served from cache.
  private async runProject(task: string, cmd: Command | undefined, what: string): Promise<string> {
    const { plan, pg, db } = await this.target();
    if (!cmd) {
      throw new Error(
        `no ${what} command is configured: set db.${what} in the module (e.g. ${JSON.stringify(exampleCommand(plan.language, what))})`,
      );
    }
    const service = await devDatabase(plan);
    const c = withPostgres(await this.host.workspace(), pg, db, service);
    return runTask(task, async () => outputOf(uncached(c).withExec(commandArgv(cmd))));
  }

  // psql against the server's maintenance database (CREATE and DROP cannot run inside the target database).
  private async psql(task: string, sql: string, database = "postgres"): Promise<string> {
    const { plan, pg } = await this.target();
    const service = await devDatabase(plan);
    const c = withPostgres(dag.container().from(pg.image), pg, database, service);
    return runTask(task, async () =>
      outputOf(uncached(c).withExec(["psql", "-v", "ON_ERROR_STOP=1", "-X", "-qtA", "-c", sql])),
    );
  }

  // A database name as an SQL identifier.
  private quoted(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  /** Create the development database (the project's create command, or CREATE DATABASE when it is missing). */
  @func()
  async create(): Promise<string> {
    const { plan, db } = await this.target();
    if (plan.db.create) return this.runProject("db create", plan.db.create, "create");
    const exists = await this.psql(
      "db create",
      `SELECT 1 FROM pg_database WHERE datname = '${db.replace(/'/g, "''")}'`,
    );
    if (exists.trim() === "1") return `database ${db} already exists`;
    await this.psql("db create", `CREATE DATABASE ${this.quoted(db)}`);
    return `created database ${db}`;
  }

  /** Apply the project's migrations. */
  @func()
  async migrate(): Promise<string> {
    const { plan } = await this.target();
    return this.runProject("db migrate", plan.db.migrate, "migrate");
  }

  /**
   * Undo the last migrations with the project's rollback command.
   * @param step how many migrations to undo
   */
  @func()
  async rollback(step = 1): Promise<string> {
    if (!Number.isInteger(step) || step < 1)
      throw new UsageError(`--step must be a whole number of migrations, 1 or more: got ${step}`, {
        hint: "e.g. gantry call db rollback --step=2",
      });
    const { plan } = await this.target();
    const cmd = plan.db.rollback && fillCommand(plan.db.rollback, { step: String(step) });
    return this.runProject("db rollback", cmd, "rollback");
  }

  /** Load the project's seed data. */
  @func()
  async seed(): Promise<string> {
    const { plan } = await this.target();
    return this.runProject("db seed", plan.db.seed, "seed");
  }

  /** Drop the development database and build it again: create, migrate, seed (or the project's reset command). */
  @func()
  async reset(): Promise<string> {
    const { plan, db } = await this.target();
    if (plan.db.reset) return this.runProject("db reset", plan.db.reset, "reset");
    await this.psql("db reset", `DROP DATABASE IF EXISTS ${this.quoted(db)} WITH (FORCE)`);
    const out = [`dropped database ${db}`, await this.create()];
    if (plan.db.migrate) out.push(await this.migrate());
    if (plan.db.seed) out.push(await this.seed());
    return out.filter((s) => s.trim() !== "").join("\n");
  }

  /**
   * psql on the development database: interactive on your terminal, or with --command the SQL's result printed.
   * @param command SQL to run instead of an interactive psql
   */
  @func()
  async shell(command = ""): Promise<string> {
    const { plan, pg, db } = await this.target();
    if (command !== "") return this.psql("db shell", command, db);
    const service = await devDatabase(plan);
    const c = withPostgres(dag.container().from(pg.image), pg, db, service);
    await onTerminal(
      "db shell (psql on the development database)",
      'without one, run SQL with --command: gantry call db shell --command "SELECT 1"',
      () => runTask("db shell", () => c.terminal({ cmd: ["psql"] }).sync()),
    );
    return "psql closed";
  }

  /** How each command runs, for people reading `gantry call db --help`. */
  @func()
  async commands(): Promise<string> {
    const { plan } = await this.target();
    const show = (c: Command | undefined, fallback: string): string =>
      c ? showCommand(c) : fallback;
    return [
      `create:   ${show(plan.db.create, "psql: CREATE DATABASE if missing")}`,
      `migrate:  ${show(plan.db.migrate, "(not configured)")}`,
      `rollback: ${show(plan.db.rollback, "(not configured)")}`,
      `seed:     ${show(plan.db.seed, "(not configured)")}`,
      `reset:    ${show(plan.db.reset, "drop, create, migrate, seed")}`,
    ].join("\n");
  }
}

// What a project of this language would typically give as its database command, for the "not configured" message
// (`language` as the plan names it: "python (django)", "node (npm)").
function exampleCommand(language: string, what: string): string {
  const examples: Record<string, Record<string, string>> = {
    django: {
      migrate: "python3 manage.py migrate --noinput",
      rollback: "python3 manage.py migrate APP PREVIOUS_MIGRATION",
      seed: "python3 manage.py loaddata seed.json",
    },
    python: {
      migrate: "alembic upgrade head",
      rollback: "alembic downgrade -{step}",
      seed: "python3 scripts/seed.py",
    },
    elixir: {
      migrate: "mix ecto.migrate",
      rollback: "mix ecto.rollback --step {step}",
      seed: "mix run priv/repo/seeds.exs",
    },
  };
  const kind = language.includes("django") ? "django" : (language.split(" ")[0] ?? "");
  const known = examples[kind]?.[what];
  if (known) return known;
  if (kind === "go") return `go run ./cmd/${what}`;
  if (kind === "bun") return `bun run ${what}`;
  if (kind === "node") return `${/\((\w+)\)/.exec(language)?.[1] ?? "npm"} run ${what}`;
  return `./scripts/${what}.sh`;
}
