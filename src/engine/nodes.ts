// The frozen graph the SDK builds: plain data, no behaviour; evaluation lives in the evaluators.
import type { CacheSharing } from "../runtime/runtime.js";

/** A secret as the graph sees it: a name and how to get the value, never the value in a digest. */
export interface SecretNode {
  readonly name: string;
  /** Resolves the plaintext; only the engine calls it, at evaluation. */
  readonly resolve: () => Promise<string>;
  /** Stable identity within the process (two setSecret calls with one name are one secret). */
  readonly id: string;
}

export type DirectoryNode =
  | { readonly op: "scratch" }
  | {
      readonly op: "host";
      readonly path: string;
      readonly include?: readonly string[];
      readonly exclude?: readonly string[];
      readonly gitignore?: boolean;
    }
  | {
      readonly op: "withNewFile";
      readonly base: DirectoryNode;
      readonly path: string;
      readonly contents: string;
      readonly permissions: number;
    }
  | {
      readonly op: "withFile";
      readonly base: DirectoryNode;
      readonly path: string;
      readonly file: FileNode;
      readonly permissions?: number;
      /** `path` is a directory: the file goes in under its own name (withFiles). */
      readonly intoDir?: boolean;
    }
  | {
      readonly op: "withDirectory";
      readonly base: DirectoryNode;
      readonly path: string;
      readonly dir: DirectoryNode;
      readonly include?: readonly string[];
      readonly exclude?: readonly string[];
      readonly gitignore?: boolean;
    }
  | {
      readonly op: "withNewDirectory";
      readonly base: DirectoryNode;
      readonly path: string;
      readonly permissions: number;
    }
  | { readonly op: "without"; readonly base: DirectoryNode; readonly paths: readonly string[] }
  | {
      readonly op: "filter";
      readonly base: DirectoryNode;
      readonly include?: readonly string[];
      readonly exclude?: readonly string[];
      readonly gitignore?: boolean;
    }
  | { readonly op: "subdir"; readonly base: DirectoryNode; readonly path: string }
  | { readonly op: "diff"; readonly base: DirectoryNode; readonly other: DirectoryNode }
  | {
      readonly op: "container";
      readonly container: ContainerState;
      readonly path: string;
      readonly expand?: boolean;
    }
  /** The files of a git commit (`dag.git(url).branch(b).tree()`), fetched with the host's git. */
  | { readonly op: "git"; readonly url: string; readonly ref: GitRefSpec }
  /** What a writable directory mount (`index` in the exec's state) holds after the exec: Dagger's mount output. */
  | { readonly op: "execMount"; readonly exec: ExecNode; readonly index: number };

export type FileNode =
  | { readonly op: "dirFile"; readonly dir: DirectoryNode; readonly path: string }
  | {
      readonly op: "containerFile";
      readonly container: ContainerState;
      readonly path: string;
      readonly expand?: boolean;
    }
  | { readonly op: "hostFile"; readonly path: string }
  | { readonly op: "containerTarball"; readonly container: ContainerState }
  /** A file downloaded over HTTP(S) (`dag.http(url)`), named after the URL's last path segment unless `name`. */
  | {
      readonly op: "http";
      readonly url: string;
      readonly name?: string;
      readonly permissions?: number;
    }
  /** What a writable file mount (`index` in the exec's state) holds after the exec. */
  | { readonly op: "execMountFile"; readonly exec: ExecNode; readonly index: number };

/** Which commit of a repository: a branch, a tag, a commit id, any ref name, or the remote's HEAD. */
export interface GitRefSpec {
  readonly kind: "branch" | "tag" | "commit" | "ref" | "head";
  readonly name: string;
}

/** Changes to the image config; applied in order over the image's own config at evaluation. */
export type ConfigOp =
  | { readonly op: "env"; readonly name: string; readonly value: string; readonly expand: boolean }
  | { readonly op: "unenv"; readonly name: string }
  | { readonly op: "workdir"; readonly path: string; readonly expand?: boolean }
  | { readonly op: "user"; readonly user: string }
  | {
      readonly op: "entrypoint";
      readonly args: readonly string[];
      readonly keepDefaultArgs: boolean;
    }
  | { readonly op: "defaultArgs"; readonly args: readonly string[] }
  | { readonly op: "label"; readonly name: string; readonly value: string | null }
  | {
      readonly op: "healthcheck";
      readonly test: readonly string[] | null;
      readonly intervalMs: number;
      readonly timeoutMs: number;
      readonly startPeriodMs: number;
      readonly retries: number;
    }
  | {
      readonly op: "expose";
      readonly port: number;
      readonly protocol: string;
      readonly remove?: boolean;
      readonly description?: string;
      readonly skipHealthcheck?: boolean;
    };

/**
 * The mounts in force when a file operation was made: a write below a directory or file mount goes into that
 * mount's source, as in Dagger (`writeToPath`), not into the root filesystem the mount hides.
 */
interface FsOpMounts {
  readonly mounts?: readonly MountNode[];
}

/** A file operation on a container's root filesystem; a relative path is resolved against the workdir at `configAt`. */
export type ContainerFsOp = FsOpMounts & {
  /** `${VAR}` and `$VAR` in the path are the container's variables (Dagger's `expand: true`). */
  readonly expand?: boolean;
} & (
    | {
        readonly op: "dir";
        readonly path: string;
        readonly dir: DirectoryNode;
        readonly include?: readonly string[];
        readonly exclude?: readonly string[];
        readonly gitignore?: boolean;
        readonly owner?: string;
        readonly configAt: number;
      }
    | {
        readonly op: "file";
        readonly path: string;
        readonly file: FileNode;
        readonly permissions?: number;
        readonly owner?: string;
        readonly configAt: number;
      }
    | {
        readonly op: "newFile";
        readonly path: string;
        readonly contents: string;
        readonly permissions: number;
        readonly owner?: string;
        readonly configAt: number;
      }
    | { readonly op: "rm"; readonly path: string; readonly configAt: number }
  );

/** Where a mount goes: a relative target is resolved against the workdir after the first `configAt` config ops. */
interface MountPlace {
  readonly target: string;
  /** `${VAR}` and `$VAR` in the target are the container's variables (Dagger's `expand: true`). */
  readonly expand?: boolean;
  /** Absent: resolved against the final workdir (nodes made before mounts recorded it). */
  readonly configAt?: number;
}

export type MountNode = MountPlace &
  (
    | {
        readonly kind: "dir";
        readonly dir: DirectoryNode;
        readonly owner?: string;
        readonly readOnly?: boolean;
      }
    | {
        readonly kind: "file";
        readonly file: FileNode;
        readonly owner?: string;
        readonly readOnly?: boolean;
      }
    | {
        readonly kind: "cache";
        readonly volume: string;
        readonly sharing: CacheSharing;
        readonly source?: DirectoryNode;
        /** Given to the volume's root and its `source` seed when the volume is made, never to an existing one. */
        readonly owner?: string;
      }
    | { readonly kind: "tmp"; readonly size?: number }
    | {
        readonly kind: "secret";
        readonly secret: SecretNode;
        readonly mode: number;
        readonly owner?: string;
      }
  );

/** The filesystem a container state starts from. */
export type FsBase =
  | { readonly kind: "scratch" }
  | { readonly kind: "image"; readonly ref: string }
  | { readonly kind: "exec"; readonly exec: ExecNode }
  /** An image built from a Dockerfile or imported from a tarball (services/builds issue). */
  | {
      readonly kind: "external";
      readonly describe: string;
      readonly resolve: "build" | "import";
      readonly payload: unknown;
    };

export type ExternalImage = Extract<FsBase, { kind: "external" }>;

/** A readable name for a state's image, for step names and messages. */
export function imageName(image: string | ExternalImage | undefined): string | undefined {
  return typeof image === "object" ? image.describe : image;
}

export type ReturnTypeValue = "SUCCESS" | "FAILURE" | "ANY";

export interface ExecNode {
  readonly state: ContainerState;
  readonly args: readonly string[];
  readonly expect: ReturnTypeValue;
  readonly stdin?: string;
  readonly redirectStdout?: string;
  readonly redirectStderr?: string;
  readonly useEntrypoint: boolean;
  /** The most memory the exec may use, in bytes (withExec's experimentalMemoryLimit). */
  readonly memoryLimit?: number;
  /** `${VAR}` and `$VAR` in the args are the container's variables (withExec's `expand: true`). */
  readonly expand?: boolean;
  /** Every root capability (withExec's insecureRootCapabilities): docker's --privileged. */
  readonly privileged?: boolean;
  /** Run the image's default args (Cmd) when args is empty (services started without args). */
  readonly useDefaultArgs?: boolean;
}

export interface ServiceBindingNode {
  readonly alias: string;
  readonly service: ServiceNode | HostServiceNode;
}

/** A port of the machine running Gantry offered to containers as a service (`dag.host().service`). */
export interface HostServiceNode {
  readonly kind: "host";
  /** The host name Gantry dials on this machine ("localhost" by default). */
  readonly host: string;
  /** Consumers reach `alias:frontend`; Gantry relays to `host:backend`. TCP only. */
  readonly ports: readonly { readonly frontend: number; readonly backend: number }[];
}

export function isHostService(n: ServiceNode | HostServiceNode): n is HostServiceNode {
  return (n as HostServiceNode).kind === "host";
}

export interface ServiceNode {
  readonly container: ContainerState;
  readonly args?: readonly string[];
  readonly useEntrypoint: boolean;
  /** Names the service answers to on the run network for every container on it (compose service names). */
  readonly aliases?: readonly string[];
  /** Host ports to publish (compose `ports:`). */
  readonly publish?: readonly {
    readonly backend: number;
    readonly frontend?: number;
    readonly protocol: "tcp" | "udp";
    readonly hostIp?: string;
  }[];
  /** Labels on the service's container (compose `labels:` and the project/service it belongs to). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ContainerState {
  /** The image whose config seeds `config`: a `from` ref, or a built/imported image; undefined for scratch. */
  readonly image?: string | ExternalImage;
  readonly fs: FsBase;
  readonly ops: readonly ContainerFsOp[];
  readonly config: readonly ConfigOp[];
  readonly mounts: readonly MountNode[];
  readonly secretEnv: readonly { readonly name: string; readonly secret: SecretNode }[];
  readonly services: readonly ServiceBindingNode[];
  /** Credentials for publish, by registry address; never part of a digest. */
  readonly registryAuth?: readonly {
    readonly address: string;
    readonly username: string;
    readonly secret: SecretNode;
  }[];
  /** The last exec, for stdout/stderr/exitCode. */
  readonly lastExec?: ExecNode;
  /** withDefaultTerminalCmd: what terminal() would run; metadata, never part of a digest. */
  readonly terminalCmd?: readonly string[];
  /** terminal() calls since the last exec: shells opened before anything built on this state runs; never digested. */
  readonly terminals?: readonly TerminalPoint[];
}

/** A `Container.terminal()` in a chain: the container at that point and the command to run there. */
export interface TerminalPoint {
  readonly at: ContainerState;
  readonly cmd?: readonly string[];
}

export const EMPTY_CONTAINER: ContainerState = Object.freeze({
  fs: Object.freeze({ kind: "scratch" }) as FsBase,
  ops: [],
  config: [],
  mounts: [],
  secretEnv: [],
  services: [],
});
