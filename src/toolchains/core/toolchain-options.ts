// What every preset accepts: the project's own commands for each task, its image, and its services.
import type { File } from "../../sdk/index.js";
import type { Command } from "./command.js";
import type { TaskRunner } from "./recipes.js";

/** The PostgreSQL service `test` and `db` talk to, reachable as `postgres:5432`. */
export interface PostgresOptions {
  /** Default `postgres:16-bookworm`. */
  image?: string;
  user?: string;
  password?: string;
  /** The database `test` runs against (default `<name>_test`); `db` uses `DbOptions.database`. */
  database?: string;
}

/** The project's database commands; each runs in the project's container with `DATABASE_URL` set. */
export interface DbOptions {
  /** The development database's name (default `<name>_dev`). */
  database?: string;
  /** Default: `CREATE DATABASE` through psql, when the database does not exist yet. */
  create?: Command;
  migrate?: Command;
  /** `{step}` is replaced by the number of `--step N` (default 1), e.g. `"mix ecto.rollback --step {step}"`. */
  rollback?: Command;
  seed?: Command;
  /** Default: drop the database, then create, migrate and seed. */
  reset?: Command;
}

/** `dev start`: the project's development server, run in a container that outlives the CLI. */
export interface DevOptions {
  /** The dev server (hot reload is the tool's own: `bun --watch`, `mix phx.server`, `npm run dev`). */
  command?: Command;
  /** Ports the server listens on; each is published on the same host port unless `dev start --host-port` says. */
  ports?: number[];
  /**
   * Seconds `dev start` waits for the server to run and its first port to accept connections (default 60); a
   * server that exits first, or does not listen in time, fails the task and is removed.
   */
  readyTimeout?: number;
}

/** `smoke`: the project's image started (with its PostgreSQL when configured) and its HTTP paths called. */
export interface SmokeOptions {
  /** The port the image serves HTTP on. */
  port: number;
  /** Paths that must answer 2xx once the port is open, e.g. `["/health", "/api/items"]`. */
  paths: string[];
  /** Environment variables for the started image (DATABASE_URL and PG* are set when `postgres` is). */
  env?: Record<string, string>;
  /** The image the HTTP calls run from, with curl, wget, python3 or node (default: the built image). */
  probeImage?: string;
}

/** Options every preset takes; each language adds its own and fills in what is left out. */
export interface ToolchainOptions {
  /** Names the cache volumes and the development database's volume (default "app"). */
  name?: string;
  /** The image every task runs in. */
  image?: string;
  /** Environment variables for every task. */
  env?: Record<string, string>;
  /**
   * Named environments for `ci --env=NAME`: variables every task of that run sees, over the project's `.env.NAME`
   * file. Plain configuration (they are in cache keys and logs): pass secrets as Secret arguments.
   */
  environments?: Record<string, Record<string, string>>;
  /**
   * Certificates to trust besides the image's (a TLS-intercepting proxy's CA), mounted into every task and named
   * by NODE_EXTRA_CA_CERTS, which Node, npm and Bun read.
   */
  caCerts?: File;
  /**
   * Call the project's own recipes: each task with a recipe of that name in the justfile/Makefile (test, lint,
   * build, format-check, format, install…) runs `just <recipe>` / `make <target>`; explicit options still win.
   */
  taskRunner?: TaskRunner;
  /** Patterns of the source left out of every task (dependencies, build output, `.git`, `.gantry`). */
  exclude?: string[];
  /** Files that decide the installed dependencies: a change to anything else does not reinstall them. */
  depsFiles?: string[];
  /**
   * Debian packages the dependencies need (e.g. `libpq-dev` to build psycopg2), apt-get installed before them
   * with apt's download cache and lists in cache volumes; skipped when they are all installed already.
   */
  systemPackages?: string[];
  /** Installs dependencies (`setup`); false when there are none. */
  install?: Command | false;
  /** Compiles after the source is in place (`setup`). */
  compile?: Command | false;
  /** Checks formatting without changing anything. */
  format?: Command | false;
  /** Rewrites the files in place (`format --fix`). */
  formatFix?: Command | false;
  lint?: Command | false;
  /** `lint --strict` (warnings fail). */
  lintStrict?: Command | false;
  /** The project's own test runner. */
  test?: Command | false;
  /** Files and folders the tests leave behind (coverage, JUnit XML), exported by `ci --export`. */
  reports?: string[];
  build?: Command | false;
  /** Where the build leaves its artifact, relative to the project (a folder). */
  buildOutput?: string;
  /** The project's Dockerfile (relative to the source): `image` builds it, and `ci` builds it after `build`. */
  dockerfile?: string;
  /** Start the built image and call its HTTP paths (`smoke`, the last stage of `ci`); needs `dockerfile`. */
  smoke?: SmokeOptions;
  /** The dependency audit; false when the ecosystem has none. */
  audit?: Command | false;
  /** Scan the source for committed secrets with secretlint (default true). */
  secretScan?: boolean;
  /** The image secretlint runs in (a Node image; default node:22-bookworm-slim). */
  scanImage?: string;
  /** Run `test` against a fresh PostgreSQL (true, or its options). */
  postgres?: boolean | PostgresOptions;
  db?: DbOptions;
  dev?: DevOptions;
}
