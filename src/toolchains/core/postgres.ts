// The PostgreSQL a project's tests and database commands talk to, reachable as postgres:5432.
import {
  CacheSharingMode,
  dag,
  ErrorCodes,
  ImageError,
  type Container,
  type Service,
} from "../../sdk/index.js";
import type { PostgresOptions } from "./toolchain-options.js";
import type { ToolchainPlan } from "./toolchain-plan.js";

export type PostgresPlan = Required<PostgresOptions>;

/** The plan's PostgreSQL settings, or the defaults when only `db` commands use one. */
export function postgresOf(plan: ToolchainPlan): PostgresPlan {
  return (
    plan.postgres ?? {
      image: "postgres:16-bookworm",
      user: "postgres",
      password: "postgres",
      database: `${plan.name}_test`,
    }
  );
}

/**
 * A PostgreSQL server creating `database` on first start; with `volume`, its data lives in that named volume
 * (locked: two servers never share one data directory), else it starts empty and is thrown away with the run.
 */
export function postgresService(pg: PostgresPlan, database: string, volume?: string): Service {
  let c = dag
    .container()
    .from(pg.image)
    .withEnvVariable("POSTGRES_USER", pg.user)
    .withEnvVariable("POSTGRES_PASSWORD", pg.password)
    .withEnvVariable("POSTGRES_DB", database);
  if (volume) {
    c = c.withMountedCache("/var/lib/postgresql/data", dag.cacheVolume(volume), {
      sharing: CacheSharingMode.Locked,
    });
  }
  // An open port is not enough: on a volume with data the server listens while it is still recovering, and
  // during first-time init it may listen on the socket only. pg_isready over TCP answers only when it is ready.
  return c
    .withDockerHealthcheck(
      ["pg_isready", "-q", "-h", "127.0.0.1", "-U", pg.user, "-d", "postgres"],
      {
        interval: "500ms",
        timeout: "5s",
        retries: 120,
      },
    )
    .withExposedPort(5432)
    .asService({ useEntrypoint: true });
}

/** The URL a task reads to reach the database (and the libpq variables psql and drivers read). */
export function databaseUrl(pg: PostgresPlan, database: string): string {
  const enc = encodeURIComponent;
  return `postgres://${enc(pg.user)}:${enc(pg.password)}@postgres:5432/${enc(database)}`;
}

/** `c` with the service bound as `postgres` and DATABASE_URL, PGHOST… set for `database`. */
export function withPostgres(
  c: Container,
  pg: PostgresPlan,
  database: string,
  service: Service,
): Container {
  return c
    .withServiceBinding("postgres", service)
    .withEnvVariable("DATABASE_URL", databaseUrl(pg, database))
    .withEnvVariable("PGHOST", "postgres")
    .withEnvVariable("PGPORT", "5432")
    .withEnvVariable("PGUSER", pg.user)
    .withEnvVariable("PGPASSWORD", pg.password)
    .withEnvVariable("PGDATABASE", database);
}

/**
 * A failure to get the tests' PostgreSQL image, with the option that picks another added to its hint: the image is
 * the preset's default (`postgres:16-bookworm`) or the module's, and `--image` changes only the app's.
 */
export function withDatabaseImageHint(e: unknown, plan: ToolchainPlan): unknown {
  const image = postgresOf(plan).image;
  // by its code, not instanceof: a module bundled with its own copy of the SDK has its own ImageError
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 5; x = x.cause, depth++) {
    const found = x as Partial<ImageError>;
    if (found.code === ErrorCodes.IMAGE && found.ref === image) {
      const option = `set the tests' database image in the module: postgres: { image: "REF" }, a PostgreSQL image this machine has`;
      return new ImageError(x.message, {
        cause: e,
        ref: image,
        hint: found.hint ? `${found.hint}; or ${option}` : option,
      });
    }
  }
  return e;
}
