// A container state's config, paths and root filesystem snapshot, resolved lazily against its image.
import path from "node:path";
import type { ContainerState, ConfigOp, FsBase, ContainerFsOp } from "../nodes.js";
import type { Session } from "../session.js";
import type { ExternalImageResult } from "../session-parts.js";
import {
  emptyImageConfig,
  type FsOp,
  type ImageConfig,
  type ResolvedImage,
  type Snapshot,
} from "../../runtime/runtime.js";
import { normalizeTreePath, treeDigest, type FileEntry, type Tree } from "../../store/tree.js";
import { selectTree } from "./select-tree.js";
import { digestOf } from "../../store/digest.js";
import { warnMalformedPatterns } from "./pattern-warnings.js";
import { evaluateDirectory, evaluateFile } from "./directory.js";
import { runExec } from "./exec.js";
import { stopIfDryRun, timedStep } from "./steps.js";
import { NotFoundError } from "../../errors.js";
import { routeOps } from "./mounts.js";
import { newFileEntry } from "./new-file.js";
import { registryAuthFor } from "../images/registry-auth.js";
import { registryOf } from "../images/image-ref.js";

export const DEFAULT_CONFIG: ImageConfig = Object.freeze(emptyImageConfig());

/** withRegistryAuth entries of the container that pulls an image: the pull's credentials, never its identity. */
export type PullCredentials = ContainerState["registryAuth"];

/**
 * Pull/inspect an image once per run; a dry run inspects only, and a missing image is a pull that would run. A pull
 * sends the container's withRegistryAuth for the ref's registry; the result (the content id) is the same either way.
 */
export function resolveImage(
  s: Session,
  ref: string,
  registryAuth?: PullCredentials,
): Promise<ResolvedImage> {
  const auth = registryAuth?.length
    ? () => registryAuthFor(s, { registryAuth }, registryOf(ref))
    : undefined;
  return s.flights.run(`image:${ref}`, async () => {
    if (s.dryRun) {
      try {
        return await s.runtime.resolveImage(ref, s.signal, { pull: false });
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
        stopIfDryRun(s, { name: `from ${ref}`, kind: "pull" }, "image is not on this machine");
      }
    }
    return timedStep(s, { name: `from ${ref}`, kind: "pull" }, () =>
      s.runtime.resolveImage(ref, s.signal, auth ? { auth } : undefined),
    );
  }) as Promise<ResolvedImage>;
}

/** The effective image config after the first `upTo` config ops. */
export async function resolveConfig(
  s: Session,
  state: ContainerState,
  upTo = state.config.length,
): Promise<ImageConfig> {
  const base =
    state.image === undefined
      ? DEFAULT_CONFIG
      : typeof state.image === "string"
        ? (await resolveImage(s, state.image, state.registryAuth)).config
        : (await resolveExternalFull(s, state.image)).config;
  return applyConfigOps(base, state.config.slice(0, upTo));
}

/** Fold config ops over a starting config; pure, so digests and the CLI agree on it. */
export function applyConfigOps(base: ImageConfig, ops: readonly ConfigOp[]): ImageConfig {
  const env = new Map<string, string>();
  for (const kv of base.env) {
    const i = kv.indexOf("=");
    env.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? "" : kv.slice(i + 1));
  }
  const c = { ...base, labels: { ...base.labels }, exposedPorts: [...base.exposedPorts] };
  for (const op of ops) {
    switch (op.op) {
      case "env":
        env.set(op.name, op.expand ? expandVars(op.value, env) : op.value);
        break;
      case "unenv":
        env.delete(op.name);
        break;
      case "workdir":
        c.workdir = path.posix.resolve(
          c.workdir || "/",
          op.expand ? expandVars(op.path, env) : op.path,
        );
        break;
      case "user":
        c.user = op.user;
        break;
      case "entrypoint":
        c.entrypoint = [...op.args];
        if (!op.keepDefaultArgs) c.cmd = [];
        break;
      case "defaultArgs":
        c.cmd = [...op.args];
        break;
      case "label":
        if (op.value === null) delete c.labels[op.name];
        else c.labels[op.name] = op.value;
        break;
      case "healthcheck":
        c.healthcheck =
          op.test === null
            ? undefined
            : {
                test: [...op.test],
                intervalMs: op.intervalMs,
                timeoutMs: op.timeoutMs,
                startPeriodMs: op.startPeriodMs,
                retries: op.retries,
              };
        break;
      case "expose": {
        const key = `${op.port}/${op.protocol.toLowerCase()}`;
        c.exposedPorts = c.exposedPorts.filter((p) => p !== key);
        if (!op.remove) c.exposedPorts.push(key);
        break;
      }
    }
  }
  c.env = [...env].map(([k, v]) => `${k}=${v}`);
  return c;
}

/** A config's env as a map (the last of a name wins, as in a container). */
export function envMap(env: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of env) {
    const i = kv.indexOf("=");
    m.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? "" : kv.slice(i + 1));
  }
  return m;
}

// `expand: true` (withEnvVariable, withWorkdir, withExec, paths and mount targets) expands ${VAR} and $VAR from the
// container's env at that point of the chain, as Dagger does; an unset variable is empty.
export function expandVars(value: string, env: Map<string, string>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, a: string, b: string) => env.get(a ?? b) ?? "",
  );
}

/** A container path made absolute against the workdir in force when the call was made. */
export async function containerPath(
  s: Session,
  state: ContainerState,
  p: string,
  configAt = state.config.length,
  expand = false,
): Promise<string> {
  if (!expand && p.startsWith("/")) return path.posix.resolve(p);
  const cfg = await resolveConfig(s, state, configAt);
  const given = expand ? expandVars(p, envMap(cfg.env)) : p;
  return path.posix.resolve(cfg.workdir || "/", given);
}

/** The snapshot a state's filesystem starts from (before pending ops); `auth`, the state's, for a pull. */
export async function baseSnapshot(
  s: Session,
  fs: FsBase,
  auth?: PullCredentials,
): Promise<Snapshot> {
  switch (fs.kind) {
    case "scratch":
      return s.runtime.scratch();
    case "image":
      return (await resolveImage(s, fs.ref, auth)).id;
    case "exec":
      return (await runExec(s, fs.exec)).snapshot;
    case "external":
      return resolveExternal(s, fs);
  }
}

/** Resolve a built or imported image: snapshot and content digest. */
export async function resolveExternalFull(
  s: Session,
  fs: Extract<FsBase, { kind: "external" }>,
): Promise<ExternalImageResult> {
  let p = s.memo.get(fs) as Promise<ExternalImageResult> | undefined;
  if (!p) {
    // a build or an import is work (Docker's builder keeps its own cache, which a dry run cannot read)
    p = s.dryRun
      ? (async (): Promise<ExternalImageResult> => {
          stopIfDryRun(s, { name: `${fs.resolve} image`, kind: "build" });
          throw new NotFoundError("unreachable: a dry run stops above");
        })()
      : s.images.resolveExternal(s, fs.resolve, fs.payload);
    s.memo.set(fs, p);
  }
  return p;
}

async function resolveExternal(
  s: Session,
  fs: Extract<FsBase, { kind: "external" }>,
): Promise<Snapshot> {
  return (await resolveExternalFull(s, fs)).snapshot;
}

/** A pending file operation's key, with what explanations name: the path, its tree, where its files come from. */
export interface OpDigest {
  name: string;
  digest: string;
  tree?: Tree;
  /** The host folder a directory's files come from (absolute), when they come from the host. */
  hostPath?: string;
}

/** Pending file ops as runtime ops, with their digests. */
export async function materializeOps(
  s: Session,
  state: ContainerState,
): Promise<{ ops: FsOp[]; digests: OpDigest[] }> {
  const ops: FsOp[] = [];
  const digests: OpDigest[] = [];
  for (const { op, abs, mount, dropped } of await routeOps(s, state)) {
    // A write below a directory or file mount went into that mount's source (mounts.ts), not the root filesystem.
    if (mount !== undefined || dropped) continue;
    const r = await materializeOp(s, op, abs);
    ops.push(r.op);
    const hostPath = op.op === "dir" && op.dir.op === "host" ? op.dir.path : undefined;
    digests.push({ name: r.name, digest: digestOf(r.key), tree: r.tree, hostPath });
  }
  return { ops, digests };
}

async function materializeOp(
  s: Session,
  op: ContainerFsOp,
  abs: string,
): Promise<{ op: FsOp; name: string; key: unknown; tree?: Tree }> {
  switch (op.op) {
    case "dir": {
      warnMalformedPatterns(s, op, `withDirectory ${abs}`);
      const tree = await selectTree(s, await evaluateDirectory(s, op.dir), op);
      return {
        op: { op: "put", path: abs, tree, owner: op.owner },
        name: `withDirectory ${abs}`,
        key: { put: abs, tree: treeDigest(tree), owner: op.owner },
        tree,
      };
    }
    case "file": {
      const f = await evaluateFile(s, op.file);
      const entry: FileEntry =
        op.permissions === undefined ? f.entry : { ...f.entry, mode: op.permissions };
      return {
        op: { op: "putFile", path: abs, entry, owner: op.owner },
        name: `withFile ${abs}`,
        key: { putFile: abs, entry, owner: op.owner },
      };
    }
    case "newFile": {
      const entry = await newFileEntry(s, op.contents, op.permissions);
      return {
        op: { op: "putFile", path: abs, entry, owner: op.owner },
        name: `withNewFile ${abs}`,
        key: { putFile: abs, entry, owner: op.owner },
      };
    }
    case "rm":
      return { op: { op: "rm", path: abs }, name: `without ${abs}`, key: { rm: abs } };
  }
}

/** The digest of a state's base filesystem (what a cache key builds on): an image's content id, never its credentials. */
export async function fsDigest(s: Session, fs: FsBase, auth?: PullCredentials): Promise<string> {
  switch (fs.kind) {
    case "scratch":
      return "scratch";
    case "image":
      return (await resolveImage(s, fs.ref, auth)).id;
    case "exec":
      return (await runExec(s, fs.exec)).digest;
    case "external":
      return (await resolveExternalFull(s, fs)).digest;
  }
}

/** The full root filesystem of a state: base snapshot plus pending ops, applied without an exec. */
export async function containerSnapshot(s: Session, state: ContainerState): Promise<Snapshot> {
  const base = await baseSnapshot(s, state.fs, state.registryAuth);
  if (state.ops.length === 0) return base;
  const { ops, digests } = await materializeOps(s, state);
  if (ops.length === 0) return base;
  const key = digestOf({
    applyOps: base,
    runtime: s.runtime.name,
    ops: digests.map((d) => d.digest),
  });
  return s.flights.run(key, () => s.runtime.applyOps(base, ops, s.signal)) as Promise<Snapshot>;
}

/** Normalised tree path helper re-exported for SDK callers that build relative paths. */
export { normalizeTreePath };
