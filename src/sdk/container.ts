// The container builder: every with* returns a new container over a new frozen state; only evaluators run anything.
import type {
  BuildPayload,
  ConfigOp,
  ContainerFsOp,
  ContainerState,
  ExecNode,
  ImportPayload,
  MountNode,
  ReturnTypeValue,
} from "../engine/api/index.js";
import * as engine from "../engine/api/index.js";
import { UnsupportedError } from "../errors.js";
import { Directory } from "./directory.js";
import { File } from "./file.js";
import { Secret } from "./secret.js";
import { CacheVolume } from "./cache-volume.js";
import {
  CacheSharingMode,
  ReturnType,
  NetworkProtocol,
  ImageLayerCompression,
  ImageMediaTypes,
} from "./enums.js";
import { assertString, assertStringArray, parseDuration } from "./validate.js";
import { Service } from "./service.js";
import { hostPlatform } from "./platform.js";
import { assertOwnPlatform } from "./platform-check.js";
import { currentModuleInfo } from "./current-module.js";

export interface ContainerBuildOpts {
  /** Path of the Dockerfile in the context (default "Dockerfile"). */
  dockerfile?: string;
  buildArgs?: { name: string; value: string }[];
  target?: string;
  secrets?: Secret[];
  /** Dagger's build platform: only this machine's is built (another is refused, not ignored). */
  platform?: string;
}

export interface ContainerWithExecOpts {
  /** Which exit codes count as success (default SUCCESS: only 0). */
  expect?: ReturnType;
  stdin?: string;
  redirectStdout?: string;
  redirectStderr?: string;
  /** Prepend the image's entrypoint to args (default false, as in Dagger ≥ 0.12; true for older modules). */
  useEntrypoint?: boolean;
  /** @deprecated Dagger's older spelling (before v0.13): `skipEntrypoint: false` runs the entrypoint. */
  skipEntrypoint?: boolean;
  /**
   * Gantry only (not in Dagger's API): the most memory the exec may use, in bytes (at least 6 MiB, swap
   * included). Past it the kernel kills the process and the step fails saying it ran out of memory. Docker
   * runtime only; part of the step's cache key.
   *
   * @example
   * ctr.withExec(["npm", "test"], { experimentalMemoryLimit: 512 * 1024 * 1024 })
   */
  experimentalMemoryLimit?: number;
  /**
   * Run the command with every root capability, as `docker run --privileged` (for Docker-in-Docker and tools that
   * mount or load modules). Docker runtime only; part of the step's cache key. Grants the step the host's kernel.
   */
  insecureRootCapabilities?: boolean;
  /** Dagger's access to its engine from inside the exec: not in Gantry (the exec fails saying so). */
  experimentalPrivilegedNesting?: boolean;
  /** `${VAR}` and `$VAR` in the args are the container's variables at this point (as Dagger's). */
  expand?: boolean;
}

/**
 * A container: an image, file changes, config and mounts, evaluated lazily.
 *
 * @example
 * const out = await dag.container().from("node:22").withDirectory("/src", src).withWorkdir("/src")
 *   .withExec(["npm", "test"]).stdout()
 */
export class Container {
  /** @internal */
  readonly _state: ContainerState;

  /** @internal */
  constructor(state: ContainerState = engine.EMPTY_CONTAINER) {
    this._state = state;
    Object.freeze(this);
  }

  private next(patch: Partial<ContainerState>): Container {
    return new Container(Object.freeze({ ...this._state, ...patch }));
  }

  private config(op: ConfigOp): Container {
    return this.next({ config: [...this._state.config, op] });
  }

  private fsOp(given: ContainerFsOp, expand?: boolean): Container {
    const op = expand ? { ...given, expand: true } : given;
    // The mounts in force decide where the write lands (a write below a mount goes into it, as in Dagger).
    const placed = this._state.mounts.length ? { ...op, mounts: this._state.mounts } : op;
    return this.next({ ops: [...this._state.ops, placed] });
  }

  private mount(m: MountNode, expand?: boolean): Container {
    // A new mount replaces one at the same target and hides (drops) those below it, as Dagger's mounts do.
    const placed = {
      ...m,
      configAt: this._state.config.length,
      ...(expand ? { expand: true } : {}),
    };
    const under = m.target.replace(/\/+$/, "") + "/";
    const kept = this._state.mounts.filter(
      (x) => x.target !== m.target && !(m.target.startsWith("/") && x.target.startsWith(under)),
    );
    return this.next({ mounts: [...kept, placed] });
  }

  /** Plug a helper into a chain: `ctr.with(withNodeCache)`. */
  with(fn: (c: Container) => Container): Container {
    return fn(this);
  }

  /**
   * Start from an image; its config (env, workdir, user, entrypoint) becomes the container's. Credentials given
   * before with withRegistryAuth stay, and the pull uses them, as in Dagger:
   *
   * @example
   * dag.container().withRegistryAuth("ghcr.io", "me", token).from("ghcr.io/me/private:1")
   */
  from(address: string): Container {
    assertString("Container.from", "address", address);
    if (!address.trim()) throw new TypeError("Container.from: address must not be empty");
    return new Container(
      Object.freeze({
        ...engine.EMPTY_CONTAINER,
        ...this.keptAuth(),
        image: address,
        fs: { kind: "image" as const, ref: address },
      }),
    );
  }

  // A new root filesystem keeps the container's registry credentials: they belong to the pipeline, not the image.
  private keptAuth(): Pick<ContainerState, "registryAuth"> {
    return this._state.registryAuth ? { registryAuth: this._state.registryAuth } : {};
  }

  /** Build from a Dockerfile in `context` (honouring .dockerignore); the result is a container like any other. */
  build(context: Directory, opts: ContainerBuildOpts = {}): Container {
    if (!(context instanceof Directory))
      throw new TypeError("Container.build: context must be a Directory");
    if (opts.platform !== undefined) assertOwnPlatform("dockerBuild({ platform })", opts.platform);
    const payload: BuildPayload = {
      context: context._node,
      dockerfile: opts.dockerfile ?? "Dockerfile",
      buildArgs: opts.buildArgs ?? [],
      target: opts.target,
      secrets: (opts.secrets ?? []).map((x) => x._node),
    };
    const fs = {
      kind: "external" as const,
      describe: `build ${payload.dockerfile}${payload.target ? ` --target ${payload.target}` : ""}`,
      resolve: "build" as const,
      payload,
    };
    return new Container(
      Object.freeze({ ...engine.EMPTY_CONTAINER, ...this.keptAuth(), image: fs, fs }),
    );
  }

  /** Dagger's TypeScript name for import (`import` is a keyword there). */
  import_(source: File, opts: { tag?: string } = {}): Container {
    return this.import(source, opts);
  }

  /** A container from an image tarball (docker-archive or OCI), e.g. one made by export() or asTarball(). */
  import(source: File, _opts: { tag?: string } = {}): Container {
    if (!(source instanceof File)) throw new TypeError("Container.import: source must be a File");
    const payload: ImportPayload = { tarball: source._node };
    const fs = {
      kind: "external" as const,
      describe: "import tarball",
      resolve: "import" as const,
      payload,
    };
    return new Container(
      Object.freeze({ ...engine.EMPTY_CONTAINER, ...this.keptAuth(), image: fs, fs }),
    );
  }

  /** Credentials for publish() to `address` (e.g. "registry.example.com" or "127.0.0.1:5000"). */
  withRegistryAuth(address: string, username: string, secret: Secret): Container {
    assertString("Container.withRegistryAuth", "address", address);
    assertString("Container.withRegistryAuth", "username", username);
    if (!(secret instanceof Secret))
      throw new TypeError("Container.withRegistryAuth: secret must be a Secret");
    const rest = (this._state.registryAuth ?? []).filter((a) => a.address !== address);
    return this.next({ registryAuth: [...rest, { address, username, secret: secret._node }] });
  }

  withoutRegistryAuth(address: string): Container {
    return this.next({
      registryAuth: (this._state.registryAuth ?? []).filter((a) => a.address !== address),
    });
  }

  withExec(args: string[], opts: ContainerWithExecOpts = {}): Container {
    assertStringArray("Container.withExec", "args", args);
    if (opts.experimentalPrivilegedNesting)
      throw new UnsupportedError(
        "Container.withExec: experimentalPrivilegedNesting (the Dagger engine's API inside the exec) is not in Gantry",
        {
          hint: "run gantry itself inside the step instead (install it in the image), or drop the option",
        },
      );
    const expect = (opts.expect ?? ReturnType.Success) as ReturnTypeValue;
    if (!["SUCCESS", "FAILURE", "ANY"].includes(expect))
      throw new TypeError(
        `Container.withExec: expect must be ReturnType.Success, Failure or Any, got ${JSON.stringify(opts.expect)}`,
      );
    const exec: ExecNode = Object.freeze({
      state: this._state,
      args: [...args],
      expect,
      stdin: opts.stdin,
      redirectStdout: opts.redirectStdout,
      redirectStderr: opts.redirectStderr,
      useEntrypoint: useEntrypointFor(opts),
      memoryLimit: memoryLimitOf(opts.experimentalMemoryLimit),
      ...(opts.insecureRootCapabilities ? { privileged: true } : {}),
      ...(opts.expand ? { expand: true } : {}),
    });
    // the exec opens the pending terminal() shells (its state holds them); the state after it starts with none
    const { terminals: _opened, ...state } = this._state;
    return new Container(
      Object.freeze({
        ...state,
        fs: { kind: "exec" as const, exec },
        ops: [],
        lastExec: exec,
        mounts: this._state.mounts.map((m, index) => mountAfterExec(m, exec, index)),
      }),
    );
  }

  withEnvVariable(name: string, value: string, opts: { expand?: boolean } = {}): Container {
    assertString("Container.withEnvVariable", "name", name);
    assertString("Container.withEnvVariable", "value", value);
    return this.config({ op: "env", name, value, expand: opts.expand ?? false });
  }

  withoutEnvVariable(name: string): Container {
    assertString("Container.withoutEnvVariable", "name", name);
    return this.config({ op: "unenv", name }).next({
      secretEnv: this._state.secretEnv.filter((e) => e.name !== name),
    });
  }

  withSecretVariable(name: string, secret: Secret): Container {
    assertString("Container.withSecretVariable", "name", name);
    if (!(secret instanceof Secret))
      throw new TypeError("Container.withSecretVariable: secret must be a Secret (dag.setSecret)");
    return this.next({
      secretEnv: [
        ...this._state.secretEnv.filter((e) => e.name !== name),
        { name, secret: secret._node },
      ],
    });
  }

  withoutSecretVariable(name: string): Container {
    return this.next({ secretEnv: this._state.secretEnv.filter((e) => e.name !== name) });
  }

  withMountedSecret(
    path: string,
    source: Secret,
    opts: { owner?: string; mode?: number; expand?: boolean } = {},
  ): Container {
    assertString("Container.withMountedSecret", "path", path);
    if (!(source instanceof Secret))
      throw new TypeError("Container.withMountedSecret: source must be a Secret (dag.setSecret)");
    return this.mount(
      {
        kind: "secret",
        target: path,
        secret: source._node,
        mode: opts.mode ?? 0o400,
        owner: opts.owner,
      },
      opts.expand,
    );
  }

  withWorkdir(path: string, opts: { expand?: boolean } = {}): Container {
    assertString("Container.withWorkdir", "path", path);
    return this.config({ op: "workdir", path, ...(opts.expand ? { expand: true } : {}) });
  }

  withUser(name: string): Container {
    assertString("Container.withUser", "name", name);
    return this.config({ op: "user", user: name });
  }

  withEntrypoint(args: string[], opts: { keepDefaultArgs?: boolean } = {}): Container {
    assertStringArray("Container.withEntrypoint", "args", args);
    return this.config({
      op: "entrypoint",
      args: [...args],
      keepDefaultArgs: opts.keepDefaultArgs ?? false,
    });
  }

  withoutEntrypoint(opts: { keepDefaultArgs?: boolean } = {}): Container {
    return this.config({
      op: "entrypoint",
      args: [],
      keepDefaultArgs: opts.keepDefaultArgs ?? false,
    });
  }

  withDefaultArgs(args: string[]): Container {
    assertStringArray("Container.withDefaultArgs", "args", args);
    return this.config({ op: "defaultArgs", args: [...args] });
  }

  withoutDefaultArgs(): Container {
    return this.config({ op: "defaultArgs", args: [] });
  }

  withLabel(name: string, value: string): Container {
    assertString("Container.withLabel", "name", name);
    assertString("Container.withLabel", "value", value);
    return this.config({ op: "label", name, value });
  }

  /** What terminal() (and `gantry call -i` at a failed exec) runs by default instead of `sh`. */
  withDefaultTerminalCmd(
    args: string[],
    _opts: { experimentalPrivilegedNesting?: boolean; insecureRootCapabilities?: boolean } = {},
  ): Container {
    assertStringArray("Container.withDefaultTerminalCmd", "args", args);
    return this.next({ terminalCmd: [...args] });
  }

  /**
   * Open an interactive shell in the container at this point of the chain, when the chain is evaluated: the
   * person's terminal is lent to it, and the pipeline goes on when the shell exits. Needs a run on a terminal
   * (`gantry call` from a shell); the same container comes back, so the chain continues.
   *
   * @example
   * await dag.container().from("node:22").withDirectory("/src", src).terminal().withExec(["npm", "test"]).sync()
   * // with a command of its own:
   * await ctr.terminal({ cmd: ["bash", "-l"] }).sync()
   */
  terminal(opts: { cmd?: string[] } = {}): Container {
    if (opts.cmd !== undefined) assertStringArray("Container.terminal", "cmd", opts.cmd);
    const point = Object.freeze({
      at: this._state,
      ...(opts.cmd ? { cmd: Object.freeze([...opts.cmd]) } : {}),
    });
    return this.next({ terminals: [...(this._state.terminals ?? []), point] });
  }

  /** Unset the user: commands run as the image's default user again. */
  withoutUser(): Container {
    return this.config({ op: "user", user: "" });
  }

  /** Unset the working directory: commands run in / again. */
  withoutWorkdir(): Container {
    return this.config({ op: "workdir", path: "/" });
  }

  /** Copy several files into the directory `path`, each under its own name. */
  withFiles(
    path: string,
    sources: File[],
    opts: { permissions?: number; owner?: string } = {},
  ): Container {
    assertString("Container.withFiles", "path", path);
    return this.withDirectory(path, new Directory().withFiles(".", sources, opts), {
      owner: opts.owner,
    });
  }

  withoutLabel(name: string): Container {
    return this.config({ op: "label", name, value: null });
  }

  withDirectory(
    path: string,
    source: Directory,
    opts: {
      include?: string[];
      exclude?: string[];
      gitignore?: boolean;
      owner?: string;
      expand?: boolean;
    } = {},
  ): Container {
    assertString("Container.withDirectory", "path", path);
    if (!(source instanceof Directory))
      throw new TypeError("Container.withDirectory: source must be a Directory");
    return this.fsOp(
      {
        op: "dir",
        path,
        dir: source._node,
        include: opts.include,
        exclude: opts.exclude,
        gitignore: opts.gitignore || undefined,
        owner: opts.owner,
        configAt: this._state.config.length,
      },
      opts.expand,
    );
  }

  withFile(
    path: string,
    source: File,
    opts: { permissions?: number; owner?: string; expand?: boolean } = {},
  ): Container {
    assertString("Container.withFile", "path", path);
    if (!(source instanceof File)) throw new TypeError("Container.withFile: source must be a File");
    return this.fsOp(
      {
        op: "file",
        path,
        file: source._node,
        permissions: opts.permissions,
        owner: opts.owner,
        configAt: this._state.config.length,
      },
      opts.expand,
    );
  }

  /** Write a file; accepts Dagger's current `(path, contents, opts)` and older `(path, {contents, permissions})` forms. */
  withNewFile(
    path: string,
    contents:
      string | { contents?: string; permissions?: number; owner?: string; expand?: boolean },
    opts: { permissions?: number; owner?: string; expand?: boolean } = {},
  ): Container {
    assertString("Container.withNewFile", "path", path);
    const o = typeof contents === "string" ? { ...opts, contents } : { ...contents };
    return this.fsOp(
      {
        op: "newFile",
        path,
        contents: o.contents ?? "",
        permissions: o.permissions ?? 0o644,
        owner: o.owner,
        configAt: this._state.config.length,
      },
      o.expand,
    );
  }

  withoutFile(path: string): Container {
    assertString("Container.withoutFile", "path", path);
    return this.fsOp({ op: "rm", path, configAt: this._state.config.length });
  }

  withoutFiles(paths: string[]): Container {
    assertStringArray("Container.withoutFiles", "paths", paths);
    return paths.reduce<Container>((c, p) => c.withoutFile(p), this);
  }

  withoutDirectory(path: string): Container {
    return this.withoutFile(path);
  }

  /**
   * Mount a directory at `path`. As in Dagger, what an exec writes there carries forward: later execs see it,
   * and `directory(path)`/`file(path/…)` read it (`readOnly` mounts stay as given).
   *
   * @example
   * const built = dag.container().from("node:22").withMountedDirectory("/src", src).withWorkdir("/src")
   *   .withExec(["npm", "run", "build"])
   * await built.directory("/src/dist").export("./dist")
   */
  withMountedDirectory(
    path: string,
    source: Directory,
    opts: { owner?: string; readOnly?: boolean; expand?: boolean } = {},
  ): Container {
    assertString("Container.withMountedDirectory", "path", path);
    if (!(source instanceof Directory))
      throw new TypeError("Container.withMountedDirectory: source must be a Directory");
    return this.mount(
      {
        kind: "dir",
        target: path,
        dir: source._node,
        owner: opts.owner,
        readOnly: opts.readOnly || undefined,
      },
      opts.expand,
    );
  }

  /** Mount a file at `path`; what an exec writes to it carries forward, as with withMountedDirectory. */
  withMountedFile(
    path: string,
    source: File,
    opts: { owner?: string; readOnly?: boolean; expand?: boolean } = {},
  ): Container {
    assertString("Container.withMountedFile", "path", path);
    if (!(source instanceof File))
      throw new TypeError("Container.withMountedFile: source must be a File");
    return this.mount(
      {
        kind: "file",
        target: path,
        file: source._node,
        owner: opts.owner,
        readOnly: opts.readOnly || undefined,
      },
      opts.expand,
    );
  }

  withMountedCache(
    path: string,
    cache: CacheVolume,
    opts: { source?: Directory; sharing?: CacheSharingMode; owner?: string; expand?: boolean } = {},
  ): Container {
    assertString("Container.withMountedCache", "path", path);
    if (!(cache instanceof CacheVolume))
      throw new TypeError(
        "Container.withMountedCache: cache must be a CacheVolume (dag.cacheVolume(name))",
      );
    const sharing = opts.sharing ?? CacheSharingMode.Shared;
    if (!Object.values(CacheSharingMode).includes(sharing))
      throw new TypeError(
        `Container.withMountedCache: sharing must be CacheSharingMode.Shared, Private or Locked, got ${JSON.stringify(sharing)}`,
      );
    return this.mount(
      {
        kind: "cache",
        target: path,
        volume: cache._name,
        sharing,
        source: opts.source?._node,
        owner: opts.owner,
      },
      opts.expand,
    );
  }

  withMountedTemp(path: string, opts: { size?: number; expand?: boolean } = {}): Container {
    assertString("Container.withMountedTemp", "path", path);
    return this.mount({ kind: "tmp", target: path, size: opts.size }, opts.expand);
  }

  withoutMount(path: string): Container {
    return this.next({ mounts: this._state.mounts.filter((m) => m.target !== path) });
  }

  /** The absolute paths where something is mounted, in the order they were mounted. */
  async mounts(): Promise<string[]> {
    return engine.mountTargets(this._state);
  }

  withExposedPort(
    port: number,
    opts: {
      protocol?: NetworkProtocol;
      description?: string;
      experimentalSkipHealthcheck?: boolean;
    } = {},
  ): Container {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new TypeError(`Container.withExposedPort: port must be 1–65535, got ${port}`);
    return this.config({
      op: "expose",
      port,
      protocol: opts.protocol ?? NetworkProtocol.Tcp,
      description: opts.description,
      skipHealthcheck: opts.experimentalSkipHealthcheck,
    });
  }

  withoutExposedPort(port: number, opts: { protocol?: NetworkProtocol } = {}): Container {
    return this.config({
      op: "expose",
      port,
      protocol: opts.protocol ?? NetworkProtocol.Tcp,
      remove: true,
    });
  }

  /** A health command (Docker HEALTHCHECK): a service with one is ready when it reports healthy. */
  withDockerHealthcheck(
    args: string[],
    opts: {
      shell?: boolean;
      interval?: string;
      timeout?: string;
      startPeriod?: string;
      retries?: number;
    } = {},
  ): Container {
    assertStringArray("Container.withDockerHealthcheck", "args", args);
    return this.config({
      op: "healthcheck",
      test: opts.shell ? ["CMD-SHELL", args.join(" ")] : ["CMD", ...args],
      intervalMs: parseDuration("interval", opts.interval ?? "30s"),
      timeoutMs: parseDuration("timeout", opts.timeout ?? "30s"),
      startPeriodMs: parseDuration("startPeriod", opts.startPeriod ?? "0s"),
      retries: opts.retries ?? 3,
    });
  }

  withoutDockerHealthcheck(): Container {
    return this.config({
      op: "healthcheck",
      test: null,
      intervalMs: 0,
      timeoutMs: 0,
      startPeriodMs: 0,
      retries: 0,
    });
  }

  withServiceBinding(alias: string, service: Service): Container {
    assertString("Container.withServiceBinding", "alias", alias);
    if (!(service instanceof Service))
      throw new TypeError(
        "Container.withServiceBinding: service must be a Service (container.asService())",
      );
    return this.next({
      services: [
        ...this._state.services.filter((b) => b.alias !== alias),
        { alias, service: service._node },
      ],
    });
  }

  asService(opts: { args?: string[]; useEntrypoint?: boolean } = {}): Service {
    if (opts.args) assertStringArray("Container.asService", "args", opts.args);
    return new Service({
      container: this._state,
      args: opts.args ? [...opts.args] : undefined,
      useEntrypoint: opts.useEntrypoint ?? false,
    });
  }

  // ---- evaluators ----

  /** Run everything the container needs; returns the same container. */
  async sync(): Promise<Container> {
    await engine.syncContainer(this._state);
    return this;
  }

  async stdout(): Promise<string> {
    return (await engine.lastExec(this._state, "stdout")).stdout;
  }

  async stderr(): Promise<string> {
    return (await engine.lastExec(this._state, "stderr")).stderr;
  }

  async exitCode(): Promise<number> {
    return (await engine.lastExec(this._state, "exitCode")).exitCode;
  }

  file(path: string, opts: { expand?: boolean } = {}): File {
    assertString("Container.file", "path", path);
    const expand = opts.expand ? { expand: true } : {};
    return new File({ op: "containerFile", container: this._state, path, ...expand });
  }

  directory(path: string, opts: { expand?: boolean } = {}): Directory {
    assertString("Container.directory", "path", path);
    const expand = opts.expand ? { expand: true } : {};
    return new Directory({ op: "container", container: this._state, path, ...expand });
  }

  /** Write the container as an image tarball (docker-archive) to a host path; returns the absolute path. */
  async export(path: string, opts: ImageOpts = {}): Promise<string> {
    assertString("Container.export", "path", path);
    assertImageOpts("Container.export", opts);
    return engine.exportContainer(this._state, path);
  }

  /** Push the container as an image to `address`; returns the published ref with its digest. */
  async publish(address: string, opts: ImageOpts = {}): Promise<string> {
    assertString("Container.publish", "address", address);
    assertImageOpts("Container.publish", opts);
    return engine.publishContainer(this._state, address);
  }

  /** The container as an image tarball (docker-archive), as a File. */
  asTarball(opts: ImageOpts = {}): File {
    assertImageOpts("Container.asTarball", opts);
    return new File({ op: "containerTarball", container: this._state });
  }

  async envVariable(name: string): Promise<string | null> {
    const env = await engine.envVariables(this._state);
    return env.find((e) => e.name === name)?.value ?? null;
  }

  async envVariables(): Promise<{ name: string; value: string }[]> {
    return engine.envVariables(this._state);
  }

  async workdir(): Promise<string> {
    return (await engine.containerConfig(this._state)).workdir || "/";
  }

  async user(): Promise<string> {
    return (await engine.containerConfig(this._state)).user;
  }

  async entrypoint(): Promise<string[]> {
    return (await engine.containerConfig(this._state)).entrypoint;
  }

  async defaultArgs(): Promise<string[]> {
    return (await engine.containerConfig(this._state)).cmd;
  }

  async label(name: string): Promise<string | null> {
    return (await engine.containerConfig(this._state)).labels[name] ?? null;
  }

  /** Every label, sorted by name. */
  async labels(): Promise<{ name: string; value: string }[]> {
    const labels = (await engine.containerConfig(this._state)).labels;
    return Object.keys(labels)
      .sort()
      .map((name) => ({ name, value: labels[name] as string }));
  }

  /** The ports the container exposes (its image's and withExposedPort's). */
  async exposedPorts(): Promise<{ port: number; protocol: string }[]> {
    return (await engine.containerConfig(this._state)).exposedPorts.map((p) => {
      const [port, protocol] = p.split("/");
      return { port: Number(port), protocol: (protocol ?? "tcp").toUpperCase() };
    });
  }

  /** The platform commands run on: this machine's (Gantry does not emulate others). */
  async platform(): Promise<string> {
    return hostPlatform();
  }

  /** Content identity of the container's filesystem and config, stable across runs. */
  async id(): Promise<string> {
    return engine.containerId(this._state);
  }
}

// Before Dagger v0.12, withExec ran the entrypoint unless skipEntrypoint; a module's engineVersion decides.
function useEntrypointFor(opts: ContainerWithExecOpts): boolean {
  if (opts.useEntrypoint !== undefined) return opts.useEntrypoint;
  if (opts.skipEntrypoint !== undefined) return !opts.skipEntrypoint;
  return currentModuleInfo()?.compat?.execUsesEntrypoint ?? false;
}

// After an exec, a writable directory or file mount's source is what the exec left there (Dagger's mount outputs).
function mountAfterExec(m: MountNode, exec: ExecNode, index: number): MountNode {
  if (m.kind === "dir" && !m.readOnly) return { ...m, dir: { op: "execMount", exec, index } };
  if (m.kind === "file" && !m.readOnly) return { ...m, file: { op: "execMountFile", exec, index } };
  return m;
}

/** Docker refuses a memory limit under 6 MiB; anything that is not a whole number of bytes is a mistake. */
const MIN_MEMORY_LIMIT = 6 * 1024 * 1024;

// withExec's experimentalMemoryLimit, checked here so the mistake is named where it was made.
function memoryLimitOf(bytes: number | undefined): number | undefined {
  if (bytes === undefined) return undefined;
  if (!Number.isSafeInteger(bytes) || bytes < MIN_MEMORY_LIMIT)
    throw new TypeError(
      `Container.withExec: experimentalMemoryLimit must be a whole number of bytes, at least ${MIN_MEMORY_LIMIT} (6 MiB), got ${JSON.stringify(bytes)}`,
    );
  return bytes;
}

/** Dagger's options of export, publish and asTarball; Gantry writes one platform, gzip layers, Docker media types. */
interface ImageOpts {
  platformVariants?: Container[];
  forcedCompression?: ImageLayerCompression | string;
  mediaTypes?: ImageMediaTypes | string;
}

// What Gantry cannot write is refused where it was asked for, never dropped (a multi-arch publish that pushed one
// empty image, found by a Dagger user's pass).
function assertImageOpts(where: string, opts: ImageOpts): void {
  if ((opts.platformVariants ?? []).length > 0)
    throw new UnsupportedError(
      `${where}({ platformVariants }): multi-platform images are not made by Gantry; it publishes this machine's platform only`,
      {
        hint: "publish each platform's image from a machine of that architecture, or leave platformVariants out",
      },
    );
  const compression = opts.forcedCompression;
  if (compression !== undefined && compression !== ImageLayerCompression.Gzip)
    throw new UnsupportedError(
      `${where}({ forcedCompression: ${JSON.stringify(compression)} }): Gantry writes gzip layers only`,
      { hint: "leave forcedCompression out (or use ImageLayerCompression.Gzip)" },
    );
  const media = opts.mediaTypes;
  if (media !== undefined && media !== ImageMediaTypes.DockerMediaTypes)
    throw new UnsupportedError(
      `${where}({ mediaTypes: ${JSON.stringify(media)} }): Gantry writes Docker's image media types only`,
      { hint: "leave mediaTypes out (or use ImageMediaTypes.DockerMediaTypes)" },
    );
}
