// Every environment variable Gantry reads is read here, once, so behaviour never depends on a stray process.env deep inside.
import os from "node:os";
import path from "node:path";

export interface GantryEnv {
  /** DOCKER_HOST, e.g. unix:///var/run/docker.sock or tcp://host:2375. */
  dockerHost?: string;
  /** DOCKER_CONFIG, else ~/.docker: the folder whose config.json holds registry credentials (auths, credHelpers). */
  dockerConfig: string;
  /** Where Gantry keeps its content store and cache records (GANTRY_STATE_DIR, else XDG cache). */
  stateDir: string;
  /** GANTRY_CACHE_LIMIT: how big the cache may grow (`20GB`, `512MiB`, `25%`, `off`); default a quarter of free disk + cache. */
  cacheLimit?: string;
  /** CI=true: plain progress, no TTY tricks. */
  ci: boolean;
  /** GANTRY_RUNTIME: docker | host | auto. */
  runtime?: string;
  /** GANTRY_PARALLELISM: how many execs may run at once. */
  parallelism?: number;
  /** GANTRY_HOST_OVERLAY=0 (or false/off): host-runtime execs get copies of their files, never an overlay. */
  hostOverlay: boolean;
  /** GANTRY_BUILDKIT_EXEC=1: experimental, the docker runtime runs the execs it can through the engine's BuildKit. */
  buildkitExec: boolean;
  /** GANTRY_PROGRESS: auto | tty | plain | json. */
  progress?: string;
  /** GANTRY_SERVICE_TIMEOUT: seconds a service may take to become ready. */
  serviceTimeoutSec?: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: when set (or the traces endpoint is), spans are exported. */
  otlpEndpoint?: string;
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the full URL for traces (wins over the base endpoint). */
  otlpTracesEndpoint?: string;
  /** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf (default) or http/json. */
  otlpProtocol?: string;
  /** OTEL_EXPORTER_OTLP_TRACES_HEADERS, else OTEL_EXPORTER_OTLP_HEADERS: `k=v,k2=v2` (URL-encoded values). */
  otlpHeaders?: string;
  /** OTEL_SERVICE_NAME. */
  otelServiceName?: string;
  /** OTEL_RESOURCE_ATTRIBUTES: `k=v,k2=v2`. */
  otelResourceAttributes?: string;
  /** OTEL_SDK_DISABLED=true turns the exporter off even with an endpoint. */
  otelDisabled: boolean;
  /** TRACEPARENT of whoever started Gantry (a CI system that traces its jobs): the run span nests under it. */
  traceparent?: string;
  /** GITHUB_ACTIONS=true: groups, annotations, masks and the step summary. */
  githubActions: boolean;
  /** GITHUB_STEP_SUMMARY: the file the Markdown summary is appended to. */
  githubStepSummary?: string;
  /** GITHUB_WORKSPACE: where annotations' file paths are relative to. */
  githubWorkspace?: string;
  /** TERM, to honour TERM=dumb (no live redraw, no colour). */
  term?: string;
  /** FORCE_COLOR set to anything but 0/false: colour even when not a terminal. */
  forceColor: boolean;
  /** GANTRY_DEBUG=1: as --debug. */
  debug: boolean;
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
    dockerConfig: path.resolve(env.DOCKER_CONFIG || path.join(home, ".docker")),
    // absolute: a relative GANTRY_STATE_DIR reached bubblewrap as a relative mount source (it failed every host exec)
    stateDir: path.resolve(env.GANTRY_STATE_DIR || path.join(xdgCache, "gantry")),
    cacheLimit: env.GANTRY_CACHE_LIMIT || undefined,
    ci: env.CI === "true" || env.CI === "1",
    runtime: env.GANTRY_RUNTIME || undefined,
    parallelism: par && par > 0 ? par : undefined,
    hostOverlay: !/^(0|false|off|no)$/i.test(env.GANTRY_HOST_OVERLAY ?? ""),
    buildkitExec: /^(1|true|on|yes)$/i.test(env.GANTRY_BUILDKIT_EXEC ?? ""),
    progress: env.GANTRY_PROGRESS || undefined,
    serviceTimeoutSec: env.GANTRY_SERVICE_TIMEOUT
      ? Number(env.GANTRY_SERVICE_TIMEOUT) || undefined
      : undefined,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    otlpTracesEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined,
    otlpProtocol:
      env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || undefined,
    otlpHeaders:
      env.OTEL_EXPORTER_OTLP_TRACES_HEADERS || env.OTEL_EXPORTER_OTLP_HEADERS || undefined,
    otelServiceName: env.OTEL_SERVICE_NAME || undefined,
    otelResourceAttributes: env.OTEL_RESOURCE_ATTRIBUTES || undefined,
    otelDisabled: env.OTEL_SDK_DISABLED?.toLowerCase() === "true",
    traceparent: env.TRACEPARENT || undefined,
    githubActions: env.GITHUB_ACTIONS === "true",
    githubStepSummary: env.GITHUB_STEP_SUMMARY || undefined,
    githubWorkspace: env.GITHUB_WORKSPACE || undefined,
    term: env.TERM || undefined,
    forceColor:
      env.FORCE_COLOR !== undefined && !["0", "false"].includes(env.FORCE_COLOR.toLowerCase()),
    debug: !!env.GANTRY_DEBUG && env.GANTRY_DEBUG !== "0",
    xdgRuntimeDir: env.XDG_RUNTIME_DIR || undefined,
    home,
    path: withoutRunScriptPath(env.PATH ?? DEFAULT_HOST_PATH, env.npm_lifecycle_event),
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== "",
    deployProxyImage: env.GANTRY_DEPLOY_PROXY_IMAGE || undefined,
    flyctlImage: env.GANTRY_FLYCTL_IMAGE || undefined,
  };
}
