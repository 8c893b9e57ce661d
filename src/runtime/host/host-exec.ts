// One exec on the host: its tree as an overlay over a shared lower directory (or a copy of its own), the process
// (sandboxed or plain), the result scanned back.
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { CancelledError, UnsupportedError } from "../../errors.js";
import type { MadeExecOutcome, ExecSpec } from "../runtime.js";
import type { ContentStore } from "../../store/content-store.js";
import { materializeTree, type FileStamp } from "../../store/tree-materialize.js";
import type { CacheVolumes } from "./cache-volumes.js";
import { launch } from "./exec-launch.js";
import type { LowerDirs, LowerLease } from "./lower-dirs.js";
import {
  hiddenInOverlay,
  MERGED,
  overlayCommand,
  prepareOverlayWork,
  UPPER,
  type OverlayTools,
} from "./overlay.js";
import { cancelledBeforeStart, planExec } from "./exec-plan.js";
import { prepareMounts } from "./exec-mounts.js";
import { readMountOutputs } from "./mount-outputs.js";
import { persistNewBlobs } from "./persist-blobs.js";
import type { ProcessResult } from "./run-process.js";
import { removeTree, type RunTemp } from "./run-temp.js";
import { scanOverlayUpper } from "./scan-overlay.js";
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
  gid: number;
  /** An overlay for an exec over a tree of this many entries (lower directories shared per tree), if it gets one. */
  overlay?: (entries: number) => Promise<{ tools: OverlayTools; lowers: LowerDirs } | undefined>;
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
  if (spec.privileged)
    throw new UnsupportedError(
      `exec ${spec.step} asks for every root capability (insecureRootCapabilities), which the host runtime cannot give: it runs as you`,
      { hint: "run with --runtime=docker, or remove the option" },
    );
  const plan = await planExec(spec, ctx);
  const visible = withoutPaths(plan.tree, plan.mountTargets);
  // the overlay probe (once per run, a short process) runs while the source goes into the store
  const overlayReady =
    ctx.mode === "bubblewrap" ? ctx.overlay?.(Object.keys(visible.entries).length) : undefined;
  overlayReady?.catch(() => undefined);
  const work = await ctx.temp.newDir("exec");
  /** The overlay's tools and lower directory, when the exec has one. */
  let over: { lower: LowerLease; tools: OverlayTools } | undefined;
  try {
    const stamps = new Map<string, FileStamp>();
    // The snapshot needs these blobs in the store anyway; copied first, parallel execs over one source share the
    // copy, and every file is then written from a store blob already checked (not from the host file again).
    await persistNewBlobs(plan.tree, plan.base, ctx.store);
    const overlay = await overlayReady;
    /** The exec's "/": the overlay's merged view, or its own copy of the tree. */
    let root: string;
    if (overlay) {
      // a lower another exec may be waiting for is not stopped by this exec's cancel (only by close()): checked after
      const lower = await overlay.lowers.acquire(visible, plan.created).catch((e: unknown) => {
        throw spec.signal.aborted ? cancelledBeforeStart(spec) : e;
      });
      over = { lower, tools: overlay.tools };
      if (spec.signal.aborted) throw cancelledBeforeStart(spec);
      await prepareOverlayWork(work);
      root = path.join(work, MERGED);
    } else {
      root = path.join(work, "root");
      await materializeTree(visible, ctx.store, root, { stamps, signal: spec.signal });
      await chmod(root, 0o755);
      for (const p of plan.created) await mkdir(path.join(root, p), { recursive: true });
      if (plan.created.includes("tmp")) await chmod(path.join(root, "tmp"), 0o1777);
    }
    const env = { ...plan.env };
    if (ctx.mode === "plain" && env.HOME?.startsWith("/")) env.HOME = path.join(root, env.HOME);

    const scratch = path.join(work, "mounts");
    await mkdir(scratch);
    const newTempDir = (): Promise<string> => ctx.temp.newDir("cache");
    const mounts = await prepareMounts(spec.mounts, {
      ...ctx,
      upper: root,
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
        upper: root,
        workdir: plan.workdir,
        scratch,
        mountArgs,
        wrap: over && overlayCommand.bind(null, over.tools, work, over.lower.dir),
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
      await over?.lower.release();
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
    const scanned = over
      ? await scanOverlayUpper(path.join(work, UPPER), over.lower.tree, ctx.store, {
          skip: (p) => skip.has(p),
          hidden: hiddenInOverlay.bind(null, over.tools, work, over.lower.dir),
        })
      : await scanUpper(root, ctx.store, {
          before: plan.tree,
          stamps,
          trustBeforeNs,
          skip: (p) => skip.has(p),
        });
    await over?.lower.release();
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
    // A failed or cancelled exec leaves nothing behind by the time its error arrives; a failing removal does not
    // hide the error (the run's close, or the next run, tries again).
    await over?.lower.release(false).catch(() => undefined);
    await removeTree(work).catch(() => undefined);
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
