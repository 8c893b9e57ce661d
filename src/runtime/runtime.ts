// The one seam between the engine and a machine: the engine speaks only this interface, never Docker or processes.
import type { FileEntry, Tree } from "../store/tree.js";
import type { DeploymentRuntime } from "./deployment-runtime.js";
import type { CacheObjects } from "./cache-objects.js";

/**
 * A runtime-specific handle for a root filesystem state.
 * docker: an image id (`sha256:…`); host: the digest of the "upper" tree saved in the content store.
 */
export type Snapshot = string;

/** What an image says about how to run it; the container's starting config. */
export interface ImageConfig {
  env: string[];
  workdir: string;
  user: string;
  entrypoint: string[];
  cmd: string[];
  labels: Record<string, string>;
  exposedPorts: string[];
  /** Docker HEALTHCHECK of the image or set by withDockerHealthcheck. */
  healthcheck?: HealthcheckSpec;
}

/** PATH of a container whose image sets none (Docker's default). */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The config of an image that says nothing: `dag.container()` without `from`, and every host-runtime image. */
export function emptyImageConfig(path: string = DEFAULT_PATH): ImageConfig {
  return {
    env: [`PATH=${path}`],
    workdir: "/",
    user: "",
    entrypoint: [],
    cmd: [],
    labels: {},
    exposedPorts: [],
  };
}

/** A health command; Docker semantics (CMD / CMD-SHELL, durations in ms). */
export interface HealthcheckSpec {
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  retries: number;
}

export interface ResolvedImage {
  /** Content id; `from(ref)` digests on it so a retagged image invalidates what was built on it. */
  id: Snapshot;
  config: ImageConfig;
}

/** Filesystem changes applied to a root filesystem before the next exec (or read/export). */
export type FsOp =
  /** Merge the tree's contents in at `path` (a directory, created if missing). */
  | { op: "put"; path: string; tree: Tree; owner?: string }
  /** Write one file at `path`. */
  | { op: "putFile"; path: string; entry: FileEntry; owner?: string }
  /** Remove `path` recursively; not an error when missing. */
  | { op: "rm"; path: string };

export type CacheSharing = "SHARED" | "PRIVATE" | "LOCKED";

export type MountSpec =
  /** `owner` ("user[:group]", names looked up in the exec's root filesystem) is given to the mounted content. */
  | { kind: "dir"; target: string; tree: Tree; readOnly?: boolean; owner?: string }
  | { kind: "file"; target: string; entry: FileEntry; readOnly?: boolean; owner?: string }
  | {
      kind: "cache";
      target: string;
      volume: string;
      sharing: CacheSharing;
      source?: Tree;
      /** Given to the volume's root and `source` when the volume is created (or a PRIVATE copy made), not after. */
      owner?: string;
    }
  | { kind: "tmp"; target: string; size?: number }
  | {
      kind: "secret";
      target: string;
      value: string;
      mode: number;
      /** "user[:group]", names looked up in the image (docker); the host runtime's files are the caller's. */
      owner?: string;
    };

/** A service a consumer exec binds to (issue: services). */
export interface ServiceBindingSpec {
  alias: string;
  /** Address the runtime resolved for the started service (container id/name on docker). */
  target: string;
}

/**
 * The person's terminal, lent to one exec (a shell opened by `gantry call -i` at a failed step, or `terminal()`).
 * The host runtime hands the process Gantry's own file descriptors 0-2; docker relays these streams.
 */
export interface TerminalIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export interface ExecSpec {
  /** Readable step name, for errors and labels. */
  step: string;
  /** The exec's cache digest; the docker runtime tags the committed image with it. */
  digest: string;
  base: Snapshot;
  /** The image ref the container started from, for messages (the host runtime names what it lacks). */
  image?: string;
  ops: FsOp[];
  args: string[];
  /** Plain environment, "K=V". */
  env: string[];
  /** Secret environment: values never logged, never committed into image config. */
  secretEnv: Record<string, string>;
  /**
   * Set for this one process only (TRACEPARENT): values that change every run, so they are in neither the
   * exec's key nor a committed image's config.
   */
  volatileEnv?: Record<string, string>;
  workdir: string;
  user: string;
  mounts: MountSpec[];
  stdin?: string;
  /** Write the exec's stdout/stderr to these paths in the resulting filesystem. */
  redirectStdout?: string;
  redirectStderr?: string;
  /** The most memory the process may use, in bytes (swap included); past it the kernel kills it. */
  memoryLimit?: number;
  /** Every root capability, as docker's --privileged (withExec's insecureRootCapabilities). */
  privileged?: boolean;
  /** Extra /etc/hosts entries or network the exec joins for service bindings. */
  services?: ServiceBindingSpec[];
  network?: string;
  signal: AbortSignal;
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
  /**
   * Run the process on this terminal (a pseudo-terminal on docker) instead of collecting its output: an interactive
   * shell. Nothing of it is kept: the outcome's snapshot is the base, its output empty.
   */
  terminal?: TerminalIo;
}

/**
 * What a writable directory or file mount holds after the exec (Dagger: the mount's output becomes its source for
 * the next step). Paths where another mount sat inside a directory mount keep the contents they had before.
 */
export type MountOutput =
  { kind: "dir"; target: string; tree: Tree } | { kind: "file"; target: string; entry: FileEntry };

/** Whether a mount's contents after the exec are read back (writable directory and file mounts). */
export function mountHasOutput(m: MountSpec): m is Extract<MountSpec, { kind: "dir" | "file" }> {
  return (m.kind === "dir" || m.kind === "file") && m.readOnly !== true;
}

/**
 * What an exec left. Its filesystem is either made (`snapshot`) or left for later (`keep`): the docker runtime keeps
 * the stopped container, uncommitted, until the run closes, and commits it only when keep() is called (once) — a
 * check whose filesystem nothing reads never pays a commit. Not made when the exec was cancelled.
 */
export type ExecOutcome =
  MadeExecOutcome | (ExecOutput & { snapshot?: undefined; keep: () => Promise<Snapshot> });

/** An exec's outcome with its filesystem made (the host runtime's always are). */
export type MadeExecOutcome = ExecOutput & { snapshot: Snapshot; keep?: undefined };

export interface ExecOutput {
  /** One output per mount for which mountHasOutput is true. */
  mounts?: MountOutput[];
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The kernel killed a process of the exec for memory (docker: State.OOMKilled). */
  oomKilled?: boolean;
}

/** A long-running container for a service binding (a database for tests, the app for integration tests). */
export interface ServiceSpec extends Omit<
  ExecSpec,
  "stdin" | "redirectStdout" | "redirectStderr" | "network"
> {
  /** Ports the service exposes ("5432/tcp"); the runtime makes each reachable from the host for readiness checks. */
  ports: string[];
  /** Run the image's health command; readiness then waits for "healthy". */
  healthcheck?: HealthcheckSpec;
  /** Network aliases on the run network (compose service names). */
  aliases: string[];
  /** Fixed host ports to publish (`up`, compose `ports:`): backend container port → frontend host port. */
  publish?: { backend: number; frontend?: number; protocol: "tcp" | "udp"; hostIp?: string }[];
  /** Named volumes and bind mounts (compose `volumes:`). */
  volumes?: { type: "volume" | "bind"; source: string; target: string; readOnly: boolean }[];
  /** The service as messages name it after "service" (its compose name, else image and command); default: `step`. */
  label?: string;
  /** A readable name for the container (compose: project-service). */
  name?: string;
  /** Labels for the container, besides the run's own. */
  labels?: Record<string, string>;
}

export interface RunningService {
  id: string;
  /** Address of the service on the run network. */
  ip: string;
  /** Where the host reaches each exposed port ("5432/tcp" → host:port). */
  hostPorts: Record<string, { host: string; port: number }>;
  /** Each published port's binding as the engine reports it ("5432/tcp" → "0.0.0.0:15432"), for people to read. */
  boundPorts?: Record<string, string>;
  /** Whether `ip` can be dialled from the machine running Gantry (a local Linux engine). */
  ipReachable: boolean;
}

export interface ServiceState {
  running: boolean;
  exitCode?: number;
  health?: "starting" | "healthy" | "unhealthy";
  /** The health command's last run when it failed, as the engine keeps it: why a service is not healthy. */
  failedHealthCheck?: { exitCode: number; output: string };
}

/** What a runtime needs to give for services; optional, a runtime without it says so clearly. */
export interface ServiceRuntime {
  /** The run's private network, created on first use, removed at close. */
  network(signal: AbortSignal): Promise<string>;
  startService(spec: ServiceSpec): Promise<RunningService>;
  serviceState(id: string): Promise<ServiceState>;
  /** The last `tail` lines of the service's output. */
  serviceLogs(id: string, tail: number): Promise<string>;
  /** Every line of the service's output from its start, until it exits or `signal` aborts. */
  followServiceLogs(id: string, signal: AbortSignal, onLine: (line: string) => void): Promise<void>;
  /** Wait until the service's process exits; its exit code. */
  waitService(id: string, signal: AbortSignal): Promise<number>;
  stopService(id: string, kill: boolean): Promise<void>;
  /** Relay `<ip>:frontend` on the run network to `host:backend` dialled from this machine. */
  forwardHost(spec: HostForwardSpec): Promise<HostForward>;
}

export interface HostForwardSpec {
  host: string;
  ports: { frontend: number; backend: number }[];
  signal: AbortSignal;
}

export interface HostForward {
  /** Where consumers on the run network reach the relayed ports. */
  ip: string;
  close(): Promise<void>;
}

export interface BuildSpec {
  /** The build context, already filtered by .dockerignore. */
  context: Tree;
  /** Path of the Dockerfile inside the context. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  target?: string;
  /** Build secrets by id (`RUN --mount=type=secret,id=ID`); served through a BuildKit session, never stored. */
  secrets?: Record<string, string>;
  /** Tag for the built image (gantry-build:<digest hex>). */
  tag: string;
  signal: AbortSignal;
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
}

export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/** Image builds, publishing and tarball import; docker has them, the host runtime says it cannot. */
export interface ImageRuntime {
  build(spec: BuildSpec): Promise<ResolvedImage>;
  /** Push the snapshot with the given config as `ref`; returns `ref@sha256:…`. */
  publish(
    snapshot: Snapshot,
    config: ImageConfig,
    ref: string,
    /** Absent: the docker runtime uses the user's Docker config for the ref's registry. */
    auth: RegistryAuth | undefined,
    signal: AbortSignal,
  ): Promise<string>;
  /** Load a docker-archive/OCI tarball held in the content store. */
  load(tarball: FileEntry, signal: AbortSignal): Promise<ResolvedImage>;
}

export interface Runtime {
  readonly name: "docker" | "host";
  /** Builds, publishing and import, where the runtime has them. */
  readonly images?: ImageRuntime;
  /** Services, where the runtime has them. */
  readonly services?: ServiceRuntime;
  /** Deployments that outlive the run (the deploy layer's docker target), where the runtime has them. */
  readonly deployments?: DeploymentRuntime;
  /** The images and volumes Gantry owns on the engine (cache size and collection), where the runtime has an engine. */
  readonly cacheObjects?: CacheObjects;
  /** Resolve (pulling if needed) an image reference to its content id and config. */
  /** `pull: false` (a dry run): an image not on this machine is a NotFoundError instead of a pull. */
  /**
   * `auth`: the pipeline's credentials for the ref's registry (withRegistryAuth), asked for only when a pull runs;
   * without them the docker runtime uses the user's Docker config, as `docker pull` would.
   */
  resolveImage(
    ref: string,
    signal: AbortSignal,
    opts?: { pull?: boolean; auth?: () => Promise<RegistryAuth | undefined> },
  ): Promise<ResolvedImage>;
  /** The empty root filesystem (`dag.container()` without `from`). */
  scratch(): Promise<Snapshot>;
  /** Apply pending ops then run one process; commit the result as a new snapshot. */
  exec(spec: ExecSpec): Promise<ExecOutcome>;
  /** Apply ops without running anything (to read or export a container whose last change was a file op). */
  applyOps(base: Snapshot, ops: FsOp[], signal: AbortSignal): Promise<Snapshot>;
  /** Whether a snapshot from an earlier run still exists (docker images can be pruned). */
  hasSnapshot(snapshot: Snapshot): Promise<boolean>;
  /** Read a directory of a snapshot into the content store. */
  readDirectory(snapshot: Snapshot, path: string, signal: AbortSignal): Promise<Tree>;
  /** Read one file of a snapshot into the content store. */
  readFile(snapshot: Snapshot, path: string, signal: AbortSignal): Promise<FileEntry>;
  /** Write the snapshot as an image tarball (docker-archive, loadable by `docker load`). */
  exportImage(
    snapshot: Snapshot,
    config: ImageConfig,
    dest: string,
    signal: AbortSignal,
  ): Promise<void>;
  /** Remove everything this run created (containers, networks, temp volumes). Idempotent. */
  close(): Promise<void>;
  /**
   * Inputs of an exec that live outside the graph and must enter its cache key (the host runtime: the identity of
   * the host tool the command resolves to). Absent: the graph says everything.
   */
  keyInputs?(args: readonly string[], env: readonly string[]): Promise<RuntimeKeyInput[]>;
}

/** One named input a runtime adds to an exec's key; the name is what a cache-miss explanation shows. */
export interface RuntimeKeyInput {
  name: string;
  /** Any text that changes when the input does; the engine digests it (it never holds a secret). */
  identity: string;
}
