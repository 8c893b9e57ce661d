// One exec on the host: materialize the upper tree, run the process (sandboxed or plain), scan the result back.
import { chmod, mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { CancelledError, UnsupportedError } from "../../errors.js";
import type { ExecOutcome, ExecSpec } from "../runtime.js";
import type { ContentStore } from "../../store/content-store.js";
import { materializeTree, type FileStamp } from "../../store/tree-materialize.js";
import type { Tree } from "../../store/tree.js";
import type { CacheVolumes } from "./cache-volumes.js";
import { assertCommandAvailable } from "./command-check.js";
import { assertRootUser, execEnv } from "./exec-env.js";
import { launch } from "./exec-launch.js";
import { prepareMounts } from "./exec-mounts.js";
import { persistNewBlobs } from "./persist-blobs.js";
import type { ProcessResult } from "./run-process.js";
import type { RunTemp } from "./run-temp.js";
import { scanUpper } from "./scan-upper.js";
import { assertWritable, isReserved, treePathOf, type SystemView } from "./system-view.js";
import { withoutPaths } from "./tree-edit.js";
import { addRedirects, applyOpsChecked, assertPlacesWritable, finishTree, scaffoldingFor } from "./upper-tree.js";

export interface HostExecContext {
  store: ContentStore;
  view: SystemView;
  mode: "bubblewrap" | "plain";
  temp: RunTemp;
  caches: CacheVolumes;
  hostPath: string;
  uid: number;
}

/** Timestamps are coarse (a kernel tick); a file stamped closer than this to the start may hide a write. */
const RACY_WINDOW_NS = 20_000_000n;

/** Run one ExecSpec on the host and commit its upper tree as the new snapshot. */
export async function runHostExec(spec: ExecSpec, ctx: HostExecContext): Promise<ExecOutcome> {
  const plan = await planExec(spec, ctx);
  const work = await ctx.temp.newDir("exec");
  try {
    const upper = path.join(work, "root");
    const stamps = new Map<string, FileStamp>();
    const visible = withoutPaths(plan.tree, plan.mountTargets);
    await materializeTree(visible, ctx.store, upper, { stamps, signal: spec.signal });
    await chmod(upper, 0o755);
    for (const p of plan.created) await mkdir(path.join(upper, p), { recursive: true });
    if (plan.created.includes("tmp")) await chmod(path.join(upper, "tmp"), 0o1777);
    const env = { ...plan.env };
    if (ctx.mode === "plain" && env.HOME?.startsWith("/")) env.HOME = path.join(upper, env.HOME);

    const scratch = path.join(work, "mounts");
    await mkdir(scratch);
    const newTempDir = (): Promise<string> => ctx.temp.newDir("cache");
    const mounts = await prepareMounts(spec.mounts, { ...ctx, upper, scratch, newTempDir, signal: spec.signal });
    let result: ProcessResult;
    const trustBeforeNs = BigInt(Date.now()) * 1_000_000n - RACY_WINDOW_NS;
    try {
      const mountArgs = mounts.bwrapArgs;
      result = await launch(spec, { ...ctx, env, upper, workdir: plan.workdir, scratch, mountArgs });
    } finally {
      await mounts.release();
    }
    if (result.cancelled)
      throw new CancelledError(`exec ${JSON.stringify(spec.args.join(" "))} was cancelled (step: ${spec.step})`);

    const skip = new Set([...plan.mountTargets, ...ctx.view.reserved]);
    const scanned = await scanUpper(upper, ctx.store, {
      before: plan.tree,
      stamps,
      trustBeforeNs,
      skip: (p) => skip.has(p),
    });
    const scaffolding = [...plan.mountTargets, ...ctx.view.reserved, ...plan.defaults];
    let final = finishTree({
      scanned,
      before: plan.tree,
      mountTargets: plan.mountTargets,
      scaffolding: scaffoldingFor(scaffolding, plan.tree),
    });
    final = await addRedirects(final, plan.redirects(result), ctx.store);
    await persistNewBlobs(final, plan.base, ctx.store);
    const snapshot = await ctx.store.saveTree(final);
    return { snapshot, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface ExecPlan {
  base: Tree;
  /** The upper tree the exec starts from (ops applied). */
  tree: Tree;
  env: Record<string, string>;
  workdir: string;
  mountTargets: string[];
  /** Tree paths to create before the exec: the workdir, and the defaults. */
  created: string[];
  /** HOME and /tmp when the tree lacks them: made for the exec, dropped again if it leaves them empty. */
  defaults: string[];
  redirects(result: ProcessResult): [string | undefined, string][];
}

/** Everything that can be refused is refused here, before any file is written or process started. */
async function planExec(spec: ExecSpec, ctx: HostExecContext): Promise<ExecPlan> {
  const cmd = spec.args[0];
  if (cmd === undefined) throw new TypeError(`exec needs a command, got no args (step: ${spec.step})`);
  if (spec.signal.aborted) throw new CancelledError(`exec cancelled before it started (step: ${spec.step})`);
  assertRootUser(spec);
  if (ctx.mode === "plain" && spec.services?.length)
    throw new UnsupportedError(
      `host runtime without bubblewrap cannot resolve service aliases (step: ${spec.step}): ` +
        `install bubblewrap, or run with --runtime=docker`,
    );
  const base = await ctx.store.loadTree(spec.base);
  const tree = await applyOpsChecked(base, spec.ops, ctx.view, spec.step);
  const workdir = path.posix.resolve("/", spec.workdir || "/");
  const toWorkdir = (p: string | undefined): string | undefined => p && path.posix.resolve(workdir, p);
  const out = toWorkdir(spec.redirectStdout);
  const err = toWorkdir(spec.redirectStderr);
  assertPlacesWritable(spec.mounts, [out, err], ctx.view, spec.step);
  if (isReserved(ctx.view, workdir) && !(await stat(workdir).catch(() => undefined))?.isDirectory())
    assertWritable(ctx.view, workdir, `withWorkdir, step: ${spec.step}`);
  const env = execEnv(spec);
  await assertCommandAvailable(cmd, {
    ...ctx,
    tree,
    mounts: spec.mounts,
    workdir,
    pathVar: env.PATH ?? "",
    image: spec.image,
    step: spec.step,
  });
  const wd = treePathOf(workdir);
  const home = env.HOME?.startsWith("/") && !isReserved(ctx.view, env.HOME) ? treePathOf(env.HOME) : "";
  const defaults = [home, ctx.mode === "bubblewrap" ? "tmp" : ""].filter((p) => p !== "" && !tree.entries[p]);
  const created = [...(wd !== "" && !isReserved(ctx.view, workdir) ? [wd] : []), ...defaults];
  return {
    base,
    tree,
    env,
    workdir,
    mountTargets: spec.mounts.map((m) => treePathOf(m.target)),
    created,
    defaults,
    redirects: (r) => [
      [out, r.stdout],
      [err, r.stderr],
    ],
  };
}
