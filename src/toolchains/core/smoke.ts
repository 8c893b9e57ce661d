// `image` and `smoke`: the project's Dockerfile built, then started like production and called over HTTP.
import { dag, type Container, type Directory } from "../../sdk/index.js";
import { postgresOf, postgresService, withPostgres } from "./postgres.js";
import type { ToolchainPlan } from "./toolchain-plan.js";
import { projectSource } from "./workspace.js";

/** The image the project's Dockerfile builds, from the source tasks see. */
export function projectImage(plan: ToolchainPlan, source: Directory): Container {
  if (!plan.dockerfile) {
    throw new Error(
      `no Dockerfile is configured for ${plan.language}: set dockerfile: "Dockerfile" in the module`,
    );
  }
  return projectSource(plan, source).dockerBuild({ dockerfile: plan.dockerfile });
}

// Fetches $1 and prints the body with whichever HTTP client the probe image has; a non-2xx answer fails.
const FETCH =
  'fetch() { if command -v curl >/dev/null 2>&1; then curl -fsS --max-time 20 "$1";' +
  ' elif command -v wget >/dev/null 2>&1; then wget -q -T 20 -O - "$1";' +
  " elif command -v python3 >/dev/null 2>&1; then python3 -c 'import sys,urllib.request as u;" +
  ' sys.stdout.write(u.urlopen(sys.argv[1],timeout=20).read().decode())\' "$1";' +
  " elif command -v node >/dev/null 2>&1; then node -e 'fetch(process.argv[1]).then(async (r) =>" +
  " { process.stdout.write(await r.text()); if (!r.ok) process.exit(1) }, (e) =>" +
  ' { console.error(String(e)); process.exit(1) })\' "$1";' +
  ' else echo "no curl, wget, python3 or node in the probe image: set smoke.probeImage" >&2; return 127; fi; }';

/** The shell line that calls every path and prints its answer; a non-2xx answer or no answer fails it. */
export function probeCommand(port: number, paths: readonly string[]): string {
  const calls = paths.map((p) => {
    const url = `http://app:${port}${p.startsWith("/") ? p : `/${p}`}`;
    const q = `'${url.replace(/'/g, "'\\''")}'`;
    return `echo "GET ${url}" && { fetch ${q} || { echo "GET ${url} failed" >&2; exit 1; }; } && echo`;
  });
  return [FETCH, ...calls].join("\n");
}

/**
 * The image started as a service named `app` (bound to the run's PostgreSQL as `postgres:5432` when the plan
 * uses one), and a probe calling its paths from the probe image (default: the built image itself, so nothing
 * else is pulled). The probe is an exec like any other: with nothing
 * changed it comes from cache and starts nothing.
 */
export function smokeRun(plan: ToolchainPlan, image: Container): Container {
  const smoke = plan.smoke;
  if (!smoke)
    throw new Error(`no smoke test is configured: set smoke: { port, paths } in the module`);
  let app = image;
  for (const [k, v] of Object.entries(smoke.env)) app = app.withEnvVariable(k, v);
  if (plan.postgres) {
    const pg = postgresOf(plan);
    // the tests' server (same digest, so one server per run): the app migrates its own empty database
    app = withPostgres(app, pg, pg.database, postgresService(pg, pg.database));
  }
  const service = app.withExposedPort(smoke.port).asService({ useEntrypoint: true });
  const probe = smoke.probeImage ? dag.container().from(smoke.probeImage) : image;
  return probe
    .withServiceBinding("app", service)
    .withExec(["sh", "-c", probeCommand(smoke.port, smoke.paths)]);
}
