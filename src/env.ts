// Every environment variable Gantry reads is read here, once, so behaviour never depends on a stray process.env deep inside.
import os from "node:os";
import path from "node:path";

export interface GantryEnv {
  /** DOCKER_HOST, e.g. unix:///var/run/docker.sock or tcp://host:2375. */
  dockerHost?: string;
  /** Where Gantry keeps its content store and cache records (GANTRY_STATE_DIR, else XDG cache). */
  stateDir: string;
  /** CI=true: plain progress, no TTY tricks. */
  ci: boolean;
  /** GANTRY_RUNTIME: docker | host | auto. */
  runtime?: string;
  /** GANTRY_PARALLELISM: how many execs may run at once. */
  parallelism?: number;
  /** GANTRY_PROGRESS: auto | tty | plain | json. */
  progress?: string;
  /** GANTRY_SERVICE_TIMEOUT: seconds a service may take to become ready. */
  serviceTimeoutSec?: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpEndpoint?: string;
  /** XDG_RUNTIME_DIR, for Podman's socket. */
  xdgRuntimeDir?: string;
  home: string;
  /** The host's PATH, for the host runtime's tool lookup, without what a package manager's `run` prepended. */
  path: string;
  /** NO_COLOR set: no ANSI colours. */
  noColor: boolean;
  /** GANTRY_DEPLOY_PROXY_IMAGE: the nginx image in front of docker deployments (default nginx:stable). */
  deployProxyImage?: string;
  /** GANTRY_FLYCTL_IMAGE: the image the fly target runs flyctl in (default flyio/flyctl:latest). */
  flyctlImage?: string;
}

const DEFAULT_HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// `npm run x` (and yarn, pnpm, bun) prepend node_modules/.bin of the cwd and each parent, and npm its node-gyp-bin:
// how Gantry was launched, not the user's machine, so it must not reach host-runtime execs or their cache keys.
export function withoutRunScriptPath(hostPath: string, lifecycleEvent: string | undefined): string {
  if (!lifecycleEvent) return hostPath;
  const entries = hostPath.split(":");
  let i = 0;
  while (i < entries.length && /(\/node_modules\/\.bin|\/node-gyp-bin)\/?$/.test(entries[i] ?? ""))
    i++;
  return i === entries.length ? hostPath : entries.slice(i).join(":");
}

/** Read the environment once; pass the result down. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): GantryEnv {
  const home = env.HOME ?? os.homedir();
  const xdgCache = env.XDG_CACHE_HOME ?? path.join(home, ".cache");
  const par = env.GANTRY_PARALLELISM ? Number.parseInt(env.GANTRY_PARALLELISM, 10) : undefined;
  return {
    dockerHost: env.DOCKER_HOST || undefined,
    stateDir: env.GANTRY_STATE_DIR || path.join(xdgCache, "gantry"),
    ci: env.CI === "true" || env.CI === "1",
    runtime: env.GANTRY_RUNTIME || undefined,
    parallelism: par && par > 0 ? par : undefined,
    progress: env.GANTRY_PROGRESS || undefined,
    serviceTimeoutSec: env.GANTRY_SERVICE_TIMEOUT
      ? Number(env.GANTRY_SERVICE_TIMEOUT) || undefined
      : undefined,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    xdgRuntimeDir: env.XDG_RUNTIME_DIR || undefined,
    home,
    path: withoutRunScriptPath(env.PATH ?? DEFAULT_HOST_PATH, env.npm_lifecycle_event),
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== "",
    deployProxyImage: env.GANTRY_DEPLOY_PROXY_IMAGE || undefined,
    flyctlImage: env.GANTRY_FLYCTL_IMAGE || undefined,
  };
}
