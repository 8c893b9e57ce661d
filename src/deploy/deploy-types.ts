// What the deploy functions take and give, shared by the targets and the package entry.
import type { Container, Directory, Secret } from "../sdk/index.js";
import type { Release } from "./release-history.js";

export type DeployTarget = "docker" | "fly";

/** Options of `deploy()`; the CLI flags of a module's `deploy` function map onto these one to one. */
export interface DeployOptions {
  /** docker (the engine Gantry runs on, local or DOCKER_HOST) or fly (Fly.io through flyctl). Default docker. */
  target?: DeployTarget;
  /** The app's name: its containers, network and images are named after it. */
  app: string;
  /** The project to build with its Dockerfile (`Directory.dockerBuild`). */
  source?: Directory;
  /** Or a container to deploy as it is (its filesystem and config become the release image). */
  container?: Container;
  /** The Dockerfile's path in `source` (default Dockerfile). */
  dockerfile?: string;
  /**
   * Health checks: `/path` asked of the new release before traffic moves, `http(s)://…` after. Comma-separated.
   * Required for deploy; a rollback without it runs the last deploy's.
   */
  health?: string | string[];
  /** How long the health checks may take, e.g. "45s" (default 45s). */
  healthTimeout?: string | number;
  /** Attempts per health URL before giving up (default: as many as fit in the timeout). */
  healthRetries?: number;
  /** Text every health answer's body must contain. */
  healthBody?: string;
  /** Run in the new image before traffic moves (migrations); a string runs through `sh -c`. Docker only. */
  releaseCommand?: string | string[];
  /** Deploy even when no passing checks are recorded for this source. */
  force?: boolean;
  /** The function that records passing checks, named in the refusal (default "ci"). */
  checksFunction?: string;
  /** docker: the public port the proxy listens on. */
  port?: number;
  /** docker: the port the app listens on in its container (default: the image's only EXPOSEd port). */
  appPort?: number;
  /** docker: the address the public port is bound to (default 0.0.0.0). */
  hostIp?: string;
  /** docker: the proxy's image (default GANTRY_DEPLOY_PROXY_IMAGE, else nginx:stable). */
  proxyImage?: string;
  /** fly: the API token, as a secret (`--fly-token=env:FLY_API_TOKEN`). */
  flyToken?: Secret;
  /** fly: the container flyctl runs in (default: GANTRY_FLYCTL_IMAGE, else flyio/flyctl:latest). */
  flyctl?: Container;
  /** fly: the registry the image is pushed to (default registry.fly.io). */
  flyRegistry?: string;
  /** fly: `fly deploy --strategy` (default bluegreen). */
  strategy?: "bluegreen" | "canary" | "rolling" | "immediate";
  /** fly: the project folder holding fly.toml, mounted where flyctl runs. */
  flyConfig?: Directory;
}

/** What a deploy or rollback did. */
export interface DeployResult {
  app: string;
  target: DeployTarget;
  /** The release now live. */
  release: Release;
  /** The release that served before, if any. */
  previous?: string;
  /** Where the app answers (docker: http://host:port). */
  url?: string;
  /**
   * Milliseconds of each phase (build, release-command, start, health, switch, drain, stop, total); a first deploy
   * has no drain (it starts the proxy: no old workers to wait for).
   */
  timings: Record<string, number>;
  /** fly: each flyctl command run, with its output (the token never appears in either). */
  flyctl?: { args: string[]; stdout: string }[];
}

/** Options of `rollback()`. */
export type RollbackOptions = Pick<
  DeployOptions,
  | "target"
  | "app"
  | "health"
  | "healthTimeout"
  | "healthRetries"
  | "healthBody"
  | "port"
  | "hostIp"
  | "proxyImage"
  | "flyToken"
  | "flyctl"
  | "flyConfig"
> & {
  /** The release to go back to (`r3` or `3`); default: the newest one that served before the live one. */
  to?: string;
};
