// The host runtime: each exec is a host process over the host's own read-only system plus the pipeline's "upper" tree.
import path from "node:path";
import { NotFoundError, UnsupportedError } from "../../errors.js";
import type { ContentStore } from "../../store/content-store.js";
import { EMPTY_TREE, type FileEntry, type Tree } from "../../store/tree.js";
import {
  emptyImageConfig,
  type MadeExecOutcome,
  type ExecSpec,
  type FsOp,
  type ImageConfig,
  type ResolvedImage,
  type Runtime,
  type RuntimeKeyInput,
  type Snapshot,
} from "../runtime.js";
import { CacheVolumes } from "./cache-volumes.js";
import { DEFAULT_PATH } from "./exec-env.js";
import { runHostExec } from "./host-exec.js";
import { persistNewBlobs } from "./persist-blobs.js";
import { readSnapshotDirectory, readSnapshotFile } from "./read-snapshot.js";
import { RunTemp } from "./run-temp.js";
import { LowerDirs } from "./lower-dirs.js";
import { probeOverlay, type OverlayTools } from "./overlay.js";
import { probeBubblewrap, type SandboxProbe } from "./sandbox-probe.js";
import { scanSystemView, toolPrefixes, type SystemView } from "./system-view.js";
import { toolIdentity } from "./tool-identity.js";
import { applyOpsChecked } from "./upper-tree.js";

export interface HostRuntimeOptions {
  store: ContentStore;
  runId: string;
  /** Cache volumes live in `<stateDir>/cache-volumes`, exec scratch dirs in `<stateDir>/host-runs`. */
  stateDir: string;
  /** Sandbox each exec with bubblewrap (default on Linux); use HostRuntime.detect() to know whether it works. */
  useBubblewrap?: boolean;
  /** The sandbox probe, already started (open-runtime.ts prepareRuntime); create() starts one otherwise. */
  sandboxProbe?: Promise<SandboxProbe>;
  /**
   * A sandboxed exec over a tree of at least this many entries gets an overlay over a lower directory shared per
   * tree instead of a copy of its own, where the kernel allows it (probed at the first such exec; see
   * host-runtime.md, "Overlay"). Default 64 (below that, copying is cheaper than mounting); Infinity: never.
   */
  overlayFromEntries?: number;
  /** The host's PATH (from readEnv, passed in): the images' PATH, and where a missing tool is looked for. */
  hostPath?: string;
  /** Host directories shown read-only at their own path; default: the install prefixes of hostPath's entries. */
  readOnlyPaths?: string[];
}

/** Below this many entries in an exec's tree, writing a copy of it costs less than mounting an overlay. */
const OVERLAY_FROM_ENTRIES = 64;

/**
 * Runs execs as host processes. Snapshots are digests of "upper" trees in the content store.
 *
 * @example
 * const rt = await HostRuntime.create({ store, runId, stateDir, hostPath: env.path });
 * if (rt.mode === "plain") console.warn(`host runtime without a sandbox: ${rt.modeReason}`);
 */
export class HostRuntime implements Runtime {
  readonly name = "host" as const;
  /** "bubblewrap": container paths are real; "plain": the process runs in the materialized workdir, no sandbox. */
  readonly mode: "bubblewrap" | "plain";
  /** Why the mode is "plain", when detect() decided it (for the CLI to show). */
  readonly modeReason?: string;
  private readonly store: ContentStore;
  private readonly temp: RunTemp;
  private readonly caches: CacheVolumes;
  private readonly hostPath: string;
  private readonly readOnlyPaths: string[];
  private view: Promise<SystemView> | undefined;
  private readonly overlayFromEntries: number;
  private overlayTools: Promise<OverlayTools | undefined> | undefined;
  private readonly lowers: LowerDirs;

  /** Decides the mode now (see create() to probe for it); touches nothing on disk yet. */
  constructor(opts: HostRuntimeOptions & { modeReason?: string }) {
    this.store = opts.store;
    this.mode = (opts.useBubblewrap ?? process.platform === "linux") ? "bubblewrap" : "plain";
    if (this.mode === "plain" && opts.modeReason) this.modeReason = opts.modeReason;
    this.temp = new RunTemp(opts.stateDir, opts.runId);
    this.overlayFromEntries =
      this.mode === "bubblewrap" ? (opts.overlayFromEntries ?? OVERLAY_FROM_ENTRIES) : Infinity;
    this.lowers = new LowerDirs(this.temp, opts.store);
    this.caches = new CacheVolumes(path.join(opts.stateDir, "cache-volumes"), opts.store);
    this.hostPath = opts.hostPath ?? DEFAULT_PATH;
    this.readOnlyPaths = opts.readOnlyPaths ?? toolPrefixes(this.hostPath);
  }

  /** Whether bubblewrap works here, and if not why; the CLI shows the reason in plain mode. */
  static detect(): Promise<SandboxProbe> {
    return probeBubblewrap();
  }

  /** A runtime in the best mode this host allows (unless `useBubblewrap` decides it). */
  static async create(opts: HostRuntimeOptions): Promise<HostRuntime> {
    if (opts.useBubblewrap !== undefined) return new HostRuntime(opts);
    const probe = await (opts.sandboxProbe ?? probeBubblewrap());
    const reason = probe.mode === "plain" ? probe.reason : undefined;
    return new HostRuntime({
      ...opts,
      useBubblewrap: probe.mode === "bubblewrap",
      modeReason: reason,
    });
  }

  /** Nothing is pulled: every image is the host itself, so its id is the empty upper tree. */
  async resolveImage(_ref: string, _signal: AbortSignal): Promise<ResolvedImage> {
    return { id: await this.scratch(), config: this.imageConfig() };
  }

  /** `dag.container()` without `from`: the host system with an empty upper. */
  async scratch(): Promise<Snapshot> {
    return this.store.saveTree(EMPTY_TREE);
  }

  /** See host-exec.ts: materialize, run, scan back. */
  exec(spec: ExecSpec): Promise<MadeExecOutcome> {
    return this.systemView().then((view) =>
      runHostExec(spec, {
        store: this.store,
        view,
        mode: this.mode,
        temp: this.temp,
        caches: this.caches,
        hostPath: this.hostPath,
        uid: process.getuid?.() ?? 0,
        gid: process.getgid?.() ?? 0,
        overlay: (entries) => this.overlay(entries),
      }),
    );
  }

  /** File ops alone are a pure tree edit; no process, no temp dir. */
  async applyOps(base: Snapshot, ops: FsOp[], _signal: AbortSignal): Promise<Snapshot> {
    const before = await this.store.loadTree(base);
    const tree = await applyOpsChecked(before, ops, await this.systemView(), "file operations");
    await persistNewBlobs(tree, before, this.store);
    return this.store.saveTree(tree);
  }

  /** A snapshot exists while its tree is in the store (its blobs were persisted with it). */
  async hasSnapshot(snapshot: Snapshot): Promise<boolean> {
    try {
      await this.store.loadTree(snapshot);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  /** From the upper tree, else from the host's read-only system (see read-snapshot.ts). */
  async readDirectory(
    snapshot: Snapshot,
    containerPath: string,
    _signal: AbortSignal,
  ): Promise<Tree> {
    return readSnapshotDirectory(this.store, await this.systemView(), snapshot, containerPath);
  }

  /** From the upper tree, else from the host's read-only system. */
  async readFile(
    snapshot: Snapshot,
    containerPath: string,
    _signal: AbortSignal,
  ): Promise<FileEntry> {
    return readSnapshotFile(this.store, await this.systemView(), snapshot, containerPath);
  }

  /** There is no image to export: the host runtime's "containers" are the host itself. */
  exportImage(
    _snapshot: Snapshot,
    _config: ImageConfig,
    dest: string,
    _signal: AbortSignal,
  ): Promise<void> {
    return Promise.reject(
      new UnsupportedError(
        `cannot export an image to ${dest} from the host runtime (its containers are the host itself): ` +
          `exporting an image needs the docker runtime: run with --runtime=docker`,
      ),
    );
  }

  /** The host tool the command resolves to is an input of the step (see tool-identity.ts). */
  keyInputs(args: readonly string[], env: readonly string[]): Promise<RuntimeKeyInput[]> {
    return toolIdentity(args, env, this.hostPath);
  }

  /** Remove this run's scratch folder (waiting for background removals); cache volumes stay. */
  async close(): Promise<void> {
    // a probe still running uses a folder of the run's; its answer does not matter any more
    await this.overlayTools?.catch(() => undefined);
    await this.lowers.close();
    await this.temp.close();
  }

  /** The config every ref resolves to: the host's PATH, root's HOME by default, "/" as workdir. */
  private imageConfig(): ImageConfig {
    return emptyImageConfig(this.hostPath);
  }

  /** An overlay for an exec over a tree of this many entries, if worth it and possible; probed once per runtime. */
  private async overlay(
    entries: number,
  ): Promise<{ tools: OverlayTools; lowers: LowerDirs } | undefined> {
    if (entries < this.overlayFromEntries) return undefined;
    // the probe's folder goes with the exec folders (close() waits for the probe, then for them), not before the
    // first exec may start
    this.overlayTools ??= this.temp
      .newDir("probe")
      .then((dir) => probeOverlay(dir, (d) => this.temp.removeLater(d)));
    const tools = await this.overlayTools;
    return tools && { tools, lowers: this.lowers };
  }

  /** Looked at once per runtime: the host does not change its system dirs during a run. */
  private systemView(): Promise<SystemView> {
    this.view ??= scanSystemView(this.readOnlyPaths);
    return this.view;
  }
}
