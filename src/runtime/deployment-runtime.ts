// What the deploy layer needs from an engine that the run-scoped parts of a runtime do not give: containers,
// networks and images that outlive the run (a deployment keeps serving after `gantry call deploy` exits).
import type { ImageConfig, Snapshot } from "./runtime.js";

/** A long-lived container of a deployment (a release, its proxy) or a one-off one (a release command). */
export interface DeployContainerSpec {
  /** The container's name on the engine (`gantry-deploy-<app>-<release>`). */
  name: string;
  /** An image id or reference present on the engine. */
  image: string;
  /** The deployment's network; the container is reachable there by its name. */
  network: string;
  /** Every label it carries (`gantry.deploy.app=…`); no run labels unless `oneOff`. */
  labels: Record<string, string>;
  /** Extra "K=V" variables on top of the image's. */
  env?: string[];
  /** Replace the image's entrypoint and command (a release command, the proxy's nginx). */
  entrypoint?: string[];
  cmd?: string[];
  /** Publish container port `backend` on the engine's host; `frontend` undefined = a free port. */
  publish?: { backend: number; frontend?: number; hostIp?: string }[];
  /** Files written into the container before it starts. */
  files?: { path: string; contents: string }[];
  /** Host folders (bind) and named volumes mounted into it (a dev server's source, a dev database's data). */
  mounts?: { type: "bind" | "volume"; source: string; target: string; readOnly?: boolean }[];
  /** More names it answers to on the network (`postgres`). */
  aliases?: string[];
  /** The working directory, instead of the image's. */
  workdir?: string;
  /**
   * A one-off container (a release command): it carries the run's labels too, so the run's cleanup (or the next
   * run's reaper, if this process dies) removes it.
   */
  oneOff?: boolean;
  signal: AbortSignal;
}

/** A deployment container as the engine lists it. */
export interface DeployedContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  running: boolean;
  /** Where this machine reaches each published port ("8080/tcp" → host:port). */
  hostPorts: Record<string, { host: string; port: number }>;
}

export interface DeployExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Deployments on an engine; the docker runtime has it, the host runtime does not. */
export interface DeploymentRuntime {
  /** A stable id of the engine (history is kept per engine: one app name on two engines is two apps). */
  engineId(): Promise<string>;
  /** Create the network unless it exists (then its labels are left as they are). */
  ensureNetwork(name: string, labels: Record<string, string>): Promise<void>;
  removeNetwork(name: string): Promise<void>;
  /** Make `snapshot` with `config` a local image tagged `ref` (never pushed); its image id. */
  tagImage(
    snapshot: Snapshot,
    config: ImageConfig,
    ref: string,
    signal: AbortSignal,
  ): Promise<string>;
  /**
   * Remove the tag `ref` (the image goes with it when no other tag or container holds it); a tag already gone is
   * fine. A release that never served cannot be rolled back to, so its tag would only pile up.
   */
  removeImageTag(ref: string): Promise<void>;
  /** The local tags of repository `repo` (`gantry-deploy/shop` → `["gantry-deploy/shop:r1", …]`), in one listing. */
  imageTags(repo: string): Promise<string[]>;
  /** The id of a local image, or undefined when the engine has none by that name (never pulls). */
  imageId(ref: string): Promise<string | undefined>;
  /** Find a local image, pulling it when missing; its id. */
  ensureImage(ref: string, signal: AbortSignal): Promise<string>;
  /** Create, fill and start a container; fails without leaving it behind. */
  start(spec: DeployContainerSpec): Promise<DeployedContainer>;
  /** Containers carrying every one of `labels`, running or not. */
  list(labels: Record<string, string>): Promise<DeployedContainer[]>;
  /** Restart the container with the engine (unless-stopped) from now on: it is serving. */
  keepRunning(id: string): Promise<void>;
  /** Run a command in a running container. */
  exec(id: string, args: string[], signal: AbortSignal): Promise<DeployExecResult>;
  /** Write files into a container (running or not). */
  putFiles(id: string, files: { path: string; contents: string }[]): Promise<void>;
  /** Whether it still runs, and its exit code when it stopped. */
  state(id: string): Promise<{ running: boolean; exitCode?: number }>;
  /** Wait for the container's process to exit; its exit code. */
  wait(id: string, signal: AbortSignal): Promise<number>;
  /** The last `tail` lines of its output, stdout and stderr together. */
  logs(id: string, tail: number): Promise<string>;
  /** Stop gracefully (SIGTERM, then SIGKILL after `timeoutSec`) and remove; already gone is fine. */
  remove(id: string, timeoutSec: number): Promise<void>;
  /** The engine volume that holds cache volume `cache` of the runs (a dev database shares the db tasks' data). */
  cacheVolume(cache: string): string;
}
