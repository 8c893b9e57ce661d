// One exec on the host: materialize the upper tree, run the process (sandboxed or plain), scan the result back.
import { chmod, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { CancelledError, UnsupportedError } from "../../errors.js";
import type { MadeExecOutcome, ExecSpec } from "../runtime.js";
import type { ContentStore } from "../../store/content-store.js";
import { materializeTree, type FileStamp } from "../../store/tree-materialize.js";
import type { CacheVolumes } from "./cache-volumes.js";
import { launch } from "./exec-launch.js";
import { planExec } from "./exec-plan.js";
import { prepareMounts } from "./exec-mounts.js";
import { readMountOutputs } from "./mount-outputs.js";
import { persistNewBlobs } from "./persist-blobs.js";
import type { ProcessResult } from "./run-process.js";
import type { RunTemp } from "./run-temp.js";
import { scanUpper } from "./scan-upper.js";
import { treePathOf, type SystemView } from "./system-view.js";
import { withoutPaths } from "./tree-edit.js";
import { addRedirects, finishTree, scaffoldingFor } from "./upper-tree.js";

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
export async function runHostExec(spec: ExecSpec, ctx: HostExecContext): Promise<MadeExecOutcome> {
  if (spec.memoryLimit !== undefined)
    throw new UnsupportedError(
      `exec ${spec.step} has a memory limit (experimentalMemoryLimit), which the host runtime cannot enforce`,
      { hint: "run with --runtime=docker, or remove the limit" },
    );
  const plan = await planExec(spec, ctx);
  const work = await ctx.temp.newDir("exec");
  try {
    const upper = path.join(work, "root");
    const stamps = new Map<string, FileStamp>();
    const visible = withoutPaths(plan.tree, plan.mountTargets);
    // The snapshot needs these blobs in the store anyway; copied first, parallel execs over one source share the
    // copy, and every file is then written from a store blob already checked (not from the host file again).
    await persistNewBlobs(plan.tree, plan.base, ctx.store);
    await materializeTree(visible, ctx.store, upper, { stamps, signal: spec.signal });
    await chmod(upper, 0o755);
    for (const p of plan.created) await mkdir(path.join(upper, p), { recursive: true });
    if (plan.created.includes("tmp")) await chmod(path.join(upper, "tmp"), 0o1777);
    const env = { ...plan.env };
    if (ctx.mode === "plain" && env.HOME?.startsWith("/")) env.HOME = path.join(upper, env.HOME);

    const scratch = path.join(work, "mounts");
    await mkdir(scratch);
    const newTempDir = (): Promise<string> => ctx.temp.newDir("cache");
    const mounts = await prepareMounts(spec.mounts, {
      ...ctx,
      upper,
      scratch,
      newTempDir,
      signal: spec.signal,
    });
    let result: ProcessResult;
    await outwaitRacyWindow(stamps);
    const trustBeforeNs = BigInt(Date.now()) * 1_000_000n - RACY_WINDOW_NS;
    try {
      const mountArgs = mounts.bwrapArgs;
      result = await launch(spec, {
        ...ctx,
        env,
        upper,
        workdir: plan.workdir,
        scratch,
        mountArgs,
      });
    } finally {
      await mounts.release();
    }
    if (result.cancelled)
      throw new CancelledError(
        `exec ${JSON.stringify(spec.args.join(" "))} was cancelled (step: ${spec.step})`,
      );
    if (spec.terminal) {
      // a shell on the person's terminal: nothing it did is kept
      ctx.temp.removeLater(work);
      return { snapshot: spec.base, exitCode: result.exitCode, stdout: "", stderr: "" };
    }

    const mountOutputs = await readMountOutputs(
      mounts.places,
      spec.mounts,
      ctx.store,
      trustBeforeNs,
    );
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
      scaffolding: scaffoldingFor(scaffolding, plan.tree, treePathOf(plan.workdir)),
    });
    final = await addRedirects(final, plan.redirects(result), ctx.store);
    await persistNewBlobs(final, plan.tree, ctx.store); // plan.tree's blobs went in before the exec
    const snapshot = await ctx.store.saveTree(final);
    ctx.temp.removeLater(work);
    return {
      snapshot,
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      mounts: mountOutputs,
    };
  } catch (e) {
    // A failed or cancelled exec leaves nothing behind by the time its error arrives.
    await rm(work, { recursive: true, force: true });
    throw e;
  }
}

/** Files stamped within the racy window must be re-hashed after the exec; when many are, waiting it out is cheaper. */
async function outwaitRacyWindow(stamps: ReadonlyMap<string, FileStamp>): Promise<void> {
  const since = BigInt(Date.now()) * 1_000_000n - RACY_WINDOW_NS;
  let racy = 0;
  let newest = 0n;
  for (const s of stamps.values()) {
    if (s.ctimeNs >= since) racy++;
    if (s.ctimeNs > newest) newest = s.ctimeNs;
  }
  if (racy < 32) return;
  const waitMs = Number(newest + RACY_WINDOW_NS - BigInt(Date.now()) * 1_000_000n) / 1e6 + 1;
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 25)));
}
