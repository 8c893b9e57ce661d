// Everything an exec depends on, resolved to values: the runtime spec, the cache key, and named inputs for explanations.
import path from "node:path";
import { openTerminals } from "./terminal.js";
import { imageName, type ExecNode, type MountNode } from "../nodes.js";
import type { Session } from "../session.js";
import type { ExecSpec, MountSpec } from "../../runtime/runtime.js";
import { digestOf, keyedSecretHash } from "../../store/digest.js";
import { treeDigest, type Tree } from "../../store/tree.js";
import { UsageError } from "../../errors.js";
import { environmentInputs, execKey, type ExecInput } from "../cache/exec-key.js";

export type { ExecInput };
import {
  baseSnapshot,
  containerPath,
  envMap,
  expandVars,
  fsDigest,
  materializeOps,
  resolveConfig,
  type OpDigest,
} from "./container.js";
import { evaluateDirectory } from "./directory.js";
import { runExec } from "./exec.js";
import { mountSourceFile, mountSourceTree, mountTarget } from "./mounts.js";
import { markCacheMounts } from "../cache/cache-marks.js";

export interface ExecPlan {
  digest: string;
  spec: Omit<ExecSpec, "signal" | "onOutput" | "step" | "digest">;
  inputs: ExecInput[];
  secretValues: string[];
  /** Trees to save when the exec runs, so explanations can diff them later. */
  trees: Tree[];
  /** Container folders filled from host folders (relative to the run's cwd). */
  sources: { target: string; host: string }[];
}

/** Resolve an exec node's inputs (running what it builds on) into a plan. */
export async function planExec(s: Session, exec: ExecNode): Promise<ExecPlan> {
  const state = exec.state;
  // Container.terminal() before this exec: the shell opens once what it looks at exists, before the exec runs
  if (state.terminals?.length) await openTerminals(s, state.terminals);
  const [base, baseDigest, cfg, { ops, digests }] = await Promise.all([
    baseSnapshot(s, state.fs, state.registryAuth),
    fsDigest(s, state.fs, state.registryAuth),
    resolveConfig(s, state),
    materializeOps(s, state),
  ]);
  const given = exec.expand ? exec.args.map((a) => expandVars(a, envMap(cfg.env))) : exec.args;
  const own = given.length === 0 && exec.useDefaultArgs ? cfg.cmd : given;
  const args = exec.useEntrypoint ? [...cfg.entrypoint, ...own] : [...own];
  if (args.length === 0) {
    const fallback = [...cfg.entrypoint, ...cfg.cmd];
    if (fallback.length === 0)
      throw new UsageError("withExec was given no arguments and the image has no default command", {
        hint: 'pass the command, e.g. withExec(["npm", "test"])',
      });
    args.push(...fallback);
  }
  const inputs: ExecInput[] = [baseInput(state, baseDigest)];
  const trees: Tree[] = [];
  for (const d of digests) {
    inputs.push({
      name: d.name,
      digest: d.digest,
      tree: d.tree ? treeDigest(d.tree) : undefined,
      detail: d.hostPath ? describeHostSource(s, d.hostPath) : undefined,
    });
    if (d.tree) trees.push(d.tree);
  }
  const mounts: MountSpec[] = [];
  const mountDigests: string[] = [];
  const secretValues: string[] = [];
  for (const [index, m] of state.mounts.entries()) {
    const r = await planMount(s, state, m, index);
    mounts.push(r.spec);
    mountDigests.push(digestOf(r.key));
    inputs.push({
      // a secret mount is named by the secret's name (never its value), so a miss says which secret moved
      name:
        m.kind === "secret"
          ? `secret ${m.secret.name} mounted at ${r.spec.target}`
          : `mount ${r.spec.target}`,
      digest: digestOf(r.key),
      tree: r.tree ? treeDigest(r.tree) : undefined,
      detail:
        m.kind === "dir" && m.dir.op === "host" ? describeHostSource(s, m.dir.path) : undefined,
    });
    if (r.tree) trees.push(r.tree);
    if (r.secret !== undefined) secretValues.push(r.secret);
  }
  const secretEnv: Record<string, string> = {};
  const secretKeys: [string, string][] = [];
  for (const { name, secret } of state.secretEnv) {
    const value = await secret.resolve();
    secretEnv[name] = value;
    secretValues.push(value);
    const hash = keyedSecretHash(s.secretKey, value);
    secretKeys.push([name, hash]);
    inputs.push({ name: `secret variable ${name} (secret ${secret.name})`, digest: hash });
  }
  const serviceDigests = state.services.length === 0 ? [] : await s.bindings.digests(s, state);
  for (const [alias, digest] of serviceDigests)
    inputs.push({ name: `service ${alias}`, digest: digestOf(digest) });
  const redirectStdout = exec.redirectStdout
    ? await containerPath(s, state, exec.redirectStdout)
    : undefined;
  const redirectStderr = exec.redirectStderr
    ? await containerPath(s, state, exec.redirectStderr)
    : undefined;
  const env = [...cfg.env];
  const runtimeInputs = ((await s.runtime.keyInputs?.(args, env)) ?? []).map((i) => ({
    name: i.name,
    digest: digestOf(i.identity),
  }));
  inputs.push(
    { name: "command", digest: digestOf(args), detail: args.join(" ") },
    ...environmentInputs(env),
    { name: "workdir", digest: digestOf(cfg.workdir) },
    { name: "user", digest: digestOf(cfg.user) },
    ...runtimeInputs,
  );
  if (exec.stdin !== undefined) inputs.push({ name: "stdin", digest: digestOf(exec.stdin) });
  if (redirectStdout || redirectStderr)
    inputs.push({ name: "output redirects", digest: digestOf([redirectStdout, redirectStderr]) });
  if (exec.memoryLimit !== undefined)
    inputs.push({ name: "memory limit", digest: digestOf(exec.memoryLimit) });
  if (exec.privileged) inputs.push({ name: "root capabilities", digest: digestOf(true) });
  const digest = execKey({
    runtime: s.runtime.name,
    base: baseDigest,
    ops: digests.map((d) => d.digest),
    mounts: mountDigests,
    args,
    env,
    workdir: cfg.workdir,
    user: cfg.user,
    secretEnv: secretKeys,
    services: serviceDigests,
    stdin: exec.stdin,
    redirectStdout,
    redirectStderr,
    memoryLimit: exec.memoryLimit,
    ...(exec.privileged ? { privileged: true } : {}),
    runtimeInputs,
  });
  return {
    digest,
    inputs,
    secretValues,
    trees,
    // the chain's folders stay where they were put: a later step of it sees them too
    sources: [
      ...(state.fs.kind === "exec" ? ((await runExec(s, state.fs.exec)).sources ?? []) : []),
      ...hostSources(s, state, digests, mounts),
    ],
    spec: {
      base,
      image: imageName(state.image),
      ops,
      args,
      env,
      secretEnv,
      workdir: cfg.workdir,
      user: cfg.user,
      mounts,
      stdin: exec.stdin,
      redirectStdout,
      redirectStderr,
      memoryLimit: exec.memoryLimit,
      ...(exec.privileged ? { privileged: true } : {}),
    },
  };
}

// The filesystem an exec starts from, named so a miss says "base image X changed (content id a → b)".
function baseInput(state: ExecNode["state"], baseDigest: string): ExecInput {
  if (state.fs.kind === "exec") return { name: "previous step's filesystem", digest: baseDigest };
  const image = imageName(state.image);
  if (state.fs.kind === "image")
    return { name: `base image ${image ?? "scratch"}`, digest: baseDigest, detail: baseDigest };
  return { name: `base ${image ?? state.fs.kind}`, digest: baseDigest };
}

/** Where a directory's files come from, for explanations: `from host app` (relative to where gantry runs). */
function describeHostSource(s: Session, hostPath: string): string {
  const rel = path.relative(s.cwd, hostPath);
  return `from host ${rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? hostPath : rel}`;
}

/** Container folders whose files come from host folders, so a tool's `/src/a.ts:3` can be shown as `app/a.ts:3`. */
function hostSources(
  s: Session,
  state: ExecNode["state"],
  digests: OpDigest[],
  mounts: MountSpec[],
) {
  const out: { target: string; host: string }[] = [];
  for (const d of digests)
    if (d.hostPath)
      out.push({
        target: d.name.replace(/^withDirectory /, ""),
        host: path.relative(s.cwd, d.hostPath) || ".",
      });
  state.mounts.forEach((m, i) => {
    if (m.kind === "dir" && m.dir.op === "host")
      out.push({ target: mounts[i]!.target, host: path.relative(s.cwd, m.dir.path) || "." });
  });
  return out;
}

/** The plan's spec with its bound services started: call only when the exec (or service) really runs. */
export async function withStartedBindings(
  s: Session,
  exec: ExecNode,
  plan: ExecPlan,
): Promise<ExecPlan["spec"]> {
  return (await startBindings(s, exec, plan)).spec;
}

/** As withStartedBindings, plus what to ask when the exec fails: did a bound service die meanwhile? Marks cache mounts used. */
export async function startBindings(
  s: Session,
  exec: ExecNode,
  plan: ExecPlan,
): Promise<{ spec: ExecPlan["spec"]; gone?: () => Promise<string | undefined> }> {
  // whatever runs now (an exec, a service, a shell) uses its cache volumes now
  await markCacheMounts(s, plan.spec.mounts);
  if (exec.state.services.length === 0) return { spec: plan.spec };
  const started = await s.bindings.start(s, exec.state);
  return {
    spec: { ...plan.spec, services: started.specs, network: started.network },
    gone: started.gone,
  };
}

async function planMount(
  s: Session,
  state: ExecNode["state"],
  m: MountNode,
  index: number,
): Promise<{ spec: MountSpec; key: unknown; tree?: Tree; secret?: string }> {
  const target = await mountTarget(s, state, m);
  switch (m.kind) {
    case "dir": {
      // The mount's source with any writes routed into it (withNewFile below a mounted directory, as in Dagger).
      const tree = await mountSourceTree(s, state, index);
      return {
        spec: { kind: "dir", target, tree, readOnly: m.readOnly, owner: m.owner },
        key: { dir: target, tree: treeDigest(tree), owner: m.owner, readOnly: m.readOnly },
        tree,
      };
    }
    case "file": {
      const entry = await mountSourceFile(s, state, index);
      return {
        spec: { kind: "file", target, entry, readOnly: m.readOnly, owner: m.owner },
        key: { file: target, entry, owner: m.owner, readOnly: m.readOnly },
      };
    }
    case "cache": {
      const source = m.source ? await evaluateDirectory(s, m.source) : undefined;
      // A cache volume's contents are never part of a key: only where it is, which volume, and the owner asked for.
      return {
        spec: {
          kind: "cache",
          target,
          volume: m.volume,
          sharing: m.sharing,
          source,
          owner: m.owner,
        },
        key: { cache: target, volume: m.volume, sharing: m.sharing, owner: m.owner },
      };
    }
    case "tmp":
      return { spec: { kind: "tmp", target, size: m.size }, key: { tmp: target, size: m.size } };
    case "secret": {
      const value = await m.secret.resolve();
      return {
        spec: { kind: "secret", target, value, mode: m.mode, owner: m.owner },
        key: {
          secret: target,
          hash: keyedSecretHash(s.secretKey, value),
          mode: m.mode,
          owner: m.owner,
        },
        secret: value,
      };
    }
  }
}
