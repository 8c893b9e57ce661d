// Execs through dockerd's BuildKit (experimental: DockerRuntimeOptions.buildkitExec, GANTRY_BUILDKIT_EXEC=1): the
// exec and its pending file ops are solved as LLB by the solver `docker build` uses, so no container is created,
// started, committed or removed through the container API. An exec BuildKit cannot run as the container API would
// is left to it (undefined); so is one whose solve fails before its command starts. The command's own exit code is
// a value the shim reports, never a failed solve. Design and measurements: performance.md, Decision 18.
import { createHash, randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import path from "node:path/posix";
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { DEFAULT_PATH, type ExecOutcome, type ExecSpec, type FsOp } from "../../runtime.js";
import { CancelledError, InternalError } from "../../../errors.js";
import { digestHex } from "../../../store/digest.js";
import { treeDigest, type Tree } from "../../../store/tree.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { debugNote } from "../debug-note.js";
import { engineFailure } from "../connection/docker-errors.js";
import { LABELS } from "../cleanup/labels.js";
import {
  BASE_REPO,
  baseTag,
  recordBaseTag,
  removeBaseTag,
  tagRecordPath,
} from "../cleanup/base-tags.js";
import { workdirOf } from "../exec/exec-config.js";
import { commitContainer } from "../exec/commit.js";
import { tarFiles } from "../exec/container-archive.js";
import { createFileContainer, removeContainer } from "../exec/containers.js";
import { execCommitOptions } from "../exec/exec-snapshot.js";
import { BuildkitControl } from "./control.js";
import { MTIME_NS, openExecSession, type BlobSource } from "./exec-session.js";
import { shimFile } from "./shim-file.js";
import {
  alsoKeepOp,
  copyIntoOp,
  execOp,
  Graph,
  mkdirOp,
  platformMessage,
  rmOp,
  sourceOp,
  type ExecMount,
  type Ref,
} from "./llb.js";

/** Where the shim writes the command's stdout, stderr and exit code: a scratch mount, the exec's output 1. */
const META = "/dev/.gantry-exec";
/**
 * Where the build's static shim (native/exec-shim.c) is mounted read-only: it passes the output on as it comes
 * (BuildKit streams it as the exec's log) and needs nothing of the image. Without it for the image's architecture
 * the shell script below is the shim, and the output is shown when the exec ends.
 */
const SHIM_DIR = "/dev/.gantry-shim";
const SHIM_FILE = "exec-shim";
/**
 * BuildKit's note in a log stream it holds back ("\n[output clipped, log limit 200KiB/s reached]\n"), within a log
 * chunk (the Status stream joins them): not the command's, and what follows may have lost some of it.
 */
const CLIPPED = Buffer.from("\n[output clipped, log limit ");
const NOT_FOUND = `printf 'exec: "%s": executable file not found in $PATH\\n' "$1" >${META}/stderr`;
/**
 * The exec's command runs as docker would run it: only an executable file (never a shell builtin, through `exec`),
 * one missing from PATH is exit 127 with docker's words, the output into META whatever the command does.
 */
const SHIM = [
  'case "$1" in */*) ;; *) f=; IFS=:',
  'for d in $PATH; do [ -f "$d/$1" ] && [ -x "$d/$1" ] && f=1 && break; done; unset IFS',
  `[ -n "$f" ] || { ${NOT_FOUND}; echo 127 >${META}/exit; exit 0; } ;; esac`,
  `(exec "$@") >${META}/stdout 2>${META}/stderr; echo $? >${META}/exit`,
].join("\n");

/** How runc says the shell shim's /bin/sh is missing (`exec: "/bin/sh": stat /bin/sh: no such file or directory`). */
const NO_SHELL =
  /"\/bin\/sh": (stat \/bin\/sh: no such file or directory|executable file not found)/;

/** Why this exec stays on the container API; undefined when BuildKit can run it as the container API would. */
export function whyNotBuildkit(spec: ExecSpec): string | undefined {
  if (spec.args.length === 0) return "no command";
  if (spec.terminal) return "a terminal";
  if (spec.stdin !== undefined) return "stdin";
  if (Object.keys(spec.secretEnv).length > 0) return "secret variables";
  if ((spec.services ?? []).length > 0 || spec.network) return "service bindings";
  if (spec.memoryLimit !== undefined) return "a memory limit";
  // BuildKit runs it only with the security.insecure entitlement, which dockerd's builder does not grant
  if (spec.privileged) return "root capabilities";
  if (spec.redirectStdout !== undefined || spec.redirectStderr !== undefined) return "redirects";
  // tmpfs too: BuildKit v0.8's take no size, and their flags need not be docker's
  if (spec.mounts.length > 0) return "mounts";
  // the shim writes into a root-owned mount
  if (!["", "0", "root", "0:0", "root:root"].includes(spec.user)) return "a non-root user";
  if (spec.ops.some((op) => op.op !== "rm" && ownerIds(op.owner) === null)) return "a named owner";
  return undefined;
}

// "uid[:gid]" → ids; undefined for none (root); null for names, which this path does not look up.
function ownerIds(owner: string | undefined): { uid: number; gid: number } | undefined | null {
  if (owner === undefined || owner === "" || owner === "root" || owner === "root:root")
    return undefined;
  const m = /^(\d+)(?::(\d+))?$/.exec(owner);
  if (!m) return null;
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}

export class BuildkitExecs {
  private readonly control: BuildkitControl;
  private readonly bases = new Map<string, Promise<BaseImage>>();
  private readonly shims = new Map<string, Promise<Tree | undefined>>();
  /** The run's record of its base tags, for the reaper should this process be killed (cleanup/base-tags.ts). */
  private readonly tagRecord: string;
  /** The shims' bytes by digest: sent from memory, never put in the content store (they are not cache). */
  private readonly shimBlobs = new Map<string, Buffer>();
  private readonly blobs: BlobSource = {
    readBlob: (digest) => {
      const shim = this.shimBlobs.get(digest);
      return shim ? Promise.resolve(shim) : this.ctx.store.readBlob(digest);
    },
  };

  constructor(
    private readonly ctx: DockerRunContext,
    private readonly opts: { shellShim?: boolean } = {},
  ) {
    this.control = new BuildkitControl(ctx.docker);
    this.tagRecord = tagRecordPath(ctx.runId);
  }

  /** Run `spec` through BuildKit; undefined when it must run on the container API instead. */
  async run(spec: ExecSpec): Promise<ExecOutcome | undefined> {
    if (whyNotBuildkit(spec) !== undefined || this.control.unavailable) return undefined;
    const { signal } = spec;
    const cancelled = (cause?: unknown) =>
      new CancelledError(`exec ${spec.step} was cancelled`, { cause });
    if (signal.aborted) throw cancelled();
    let plan: Plan;
    try {
      // an engine without the API is known before anything else is asked of it
      await this.control.ready();
      const base = await this.baseOf(spec.base);
      if (Object.keys(base.config.Volumes ?? {}).length > 0) {
        // a container writes under an image's VOLUME into an anonymous volume, never into its snapshot
        fellBack(spec, "its image declares volumes");
        return undefined;
      }
      const shim = this.opts.shellShim ? undefined : await this.shimOf(base.platform.architecture);
      plan = this.plan(spec, base, shim);
    } catch (e) {
      fellBack(spec, `BuildKit cannot start it: ${errorText(e)}`);
      return undefined;
    }
    if (signal.aborted) throw cancelled();
    const session = await openExecSession(
      this.ctx.docker,
      this.blobs,
      plan.sources,
      "gantry",
    ).catch((err: unknown) => void fellBack(spec, `no BuildKit session: ${String(err)}`));
    if (!session) return undefined;
    // Before the command started, any failure leaves the exec to the container API; after, running it again there
    // could repeat what it did (a deploy, a migration), so it is an error of its own.
    let started = false;
    let files: Record<string, Buffer>;
    const live = plan.liveOutput ? new LiveOutput(spec.onOutput) : undefined;
    try {
      const solved = await this.control.solve(plan.graph.definition(plan.meta), {
        exporter: "tar",
        session: session.id,
        signal,
        onLog:
          live &&
          ((vertex, stream, data) => vertex === plan.root.digest && live.take(stream, data)),
      });
      const vertex = solved.vertices.get(plan.root.digest);
      started = vertex?.started === true;
      if (signal.aborted) throw cancelled();
      if (solved.status !== 0)
        throw new Error(
          `${solved.message || `gRPC status ${solved.status}`}${vertex?.log ? `\n${vertex.log}` : ""}`,
        );
      files = await tarFiles(Readable.from([await session.exported()]));
      if (!/^\d+\n?$/.test(files["exit"]?.toString() ?? ""))
        throw new Error("the exec's shim left no exit code");
    } catch (err) {
      if (signal.aborted) throw cancelled(err);
      if ((err as { code?: unknown }).code === "ECONNRESET")
        throw engineFailure(`running exec ${spec.step}`, err);
      // the shell shim itself could not start (an image without /bin/sh): the command never ran (the binary shim's
      // log is the command's own output, which may say anything)
      if (started && (plan.liveOutput || !NO_SHELL.test(errorText(err))))
        throw new InternalError(
          `exec ${spec.step} ran in BuildKit, but its result was lost: ${errorText(err)}`,
          {
            cause: err,
            hint: "run it again without GANTRY_BUILDKIT_EXEC (the container API)",
          },
        );
      fellBack(spec, errorText(err));
      return undefined;
    } finally {
      session.close();
    }
    const exit = Number(String(files["exit"]).trim());
    const out = {
      stdout: files["stdout"] ?? Buffer.alloc(0),
      stderr: files["stderr"] ?? Buffer.alloc(0),
    };
    for (const name of ["stdout", "stderr"] as const) {
      if (live) live.finish(name, out[name]);
      else if (out[name].length > 0) spec.onOutput?.(name, out[name].toString("utf8"));
    }
    const stdout = out.stdout.toString("utf8");
    const stderr = out.stderr.toString("utf8");
    let kept: Promise<string> | undefined;
    const keep = () => (kept ??= this.keep(spec, plan));
    return { keep, exitCode: exit, stdout, stderr };
  }

  // The root after the exec (BuildKit has it cached) exported into the image store, then committed with the exec's
  // config and labels as the container API's commit would: dockerd's BuildKit (20.10) ignores a config given to its
  // image exporter, so the export is only the filesystem, and the rest of the base image's config is given here.
  private keep(spec: ExecSpec, plan: Plan): Promise<string> {
    const kept = this.exportAndCommit(spec, plan).catch((err: unknown) => {
      throw engineFailure(`keeping the filesystem of exec ${spec.step}`, err);
    });
    this.ctx.later.add(kept); // close() waits for it before untagging the bases
    return kept;
  }

  private async exportAndCommit(spec: ExecSpec, plan: Plan): Promise<string> {
    const session = await openExecSession(this.ctx.docker, this.blobs, plan.sources, "gantry");
    let exported: string | undefined;
    try {
      const solved = await this.control.solve(plan.graph.definition(plan.root), {
        exporter: "moby",
        session: session.id,
        signal: new AbortController().signal,
      });
      exported = solved.exporterResponse["containerimage.digest"];
      if (solved.status !== 0 || !exported)
        throw new Error(
          `BuildKit could not export the filesystem of exec ${spec.step}: ${solved.message}`,
        );
      // BuildKit no longer had the exec's result (its cache pruned meanwhile) and ran the command again: what it
      // left need not be what the reported output came from (the nonce keeps any other exec's result out)
      if (solved.vertices.get(plan.root.digest)?.cached !== true)
        throw new InternalError(
          `exec ${spec.step}: BuildKit had dropped its result from its cache and ran it again, so its filesystem ` +
            "cannot be kept as the run saw it",
          {
            hint: "run again (or without GANTRY_BUILDKIT_EXEC); `docker builder prune` during a run causes this",
          },
        );
    } finally {
      session.close();
    }
    const container = await createFileContainer(this.ctx, exported);
    try {
      const own = execCommitOptions(this.ctx, spec);
      const base = plan.base.config;
      return await commitContainer(container, {
        ...own,
        config: {
          ...pick(base, ["ExposedPorts", "Healthcheck", "StopSignal", "Shell", "OnBuild"]),
          ...own.config,
          Labels: {
            ...(base.Labels ?? {}),
            ...own.config.Labels,
            // the export holds the whole filesystem: `cache ls` measures this snapshot over the base instead
            [LABELS.sizeOver]: `${exported} ${plan.base.id}`,
          },
        },
      });
    } finally {
      await removeContainer(container);
    }
  }

  // The LLB: the base image, each file op, the exec through the shim.
  private plan(spec: ExecSpec, base: BaseImage, shim: Tree | undefined): Plan {
    const graph = new Graph(platformMessage(base.platform));
    const sources = new Map<string, Tree>();
    let top: Ref = graph.add(sourceOp(`docker-image://docker.io/library/${base.name}`));
    spec.ops.forEach((op: FsOp, i) => {
      if (op.op === "rm") {
        top = graph.add(rmOp(top, absolute(op.path)));
        return;
      }
      const name = `op${i}`;
      const [tree, dest] =
        op.op === "put"
          ? [op.tree, absolute(op.path)]
          : [{ entries: { [path.basename(op.path)]: op.entry } }, path.dirname(absolute(op.path))];
      sources.set(name, tree);
      const local = graph.add(
        sourceOp(`local://${name}`, {
          "local.unique": treeDigest(tree),
          "local.sharedkeyhint": dest,
        }),
      );
      const owner = ownerIds(op.owner) ?? undefined;
      // the copy would give the folders it makes the files' owner; a container's are top's
      if (owner) top = graph.add(mkdirOp(top, dest));
      top = graph.add(copyIntoOp(top, local, dest, MTIME_NS, owner));
    });
    const env = [
      ...spec.env,
      ...Object.entries(spec.volatileEnv ?? {}).map(([k, v]) => `${k}=${v}`),
    ];
    // docker takes the image's PATH when the exec sets none (and its default when neither does)
    const imagePath = (base.config.Env ?? []).find((e) => e.startsWith("PATH="));
    if (!env.some((e) => e.startsWith("PATH="))) env.push(imagePath ?? `PATH=${DEFAULT_PATH}`);
    // a nonce of this call's: BuildKit never answers it from an earlier exec's result (whether a step runs is
    // Gantry's records' decision; a failure must run again), while keep() re-solving it finds this one's
    const nonce = randomBytes(8).toString("hex");
    const mounts: ExecMount[] = [{ kind: "scratch", dest: META, output: 1 }];
    let args: string[];
    if (shim) {
      sources.set(SHIM_SOURCE, shim);
      const local = graph.add(
        sourceOp(`local://${SHIM_SOURCE}`, {
          "local.unique": treeDigest(shim),
          "local.sharedkeyhint": SHIM_SOURCE,
        }),
      );
      mounts.push({ kind: "readonly", dest: SHIM_DIR, ref: local });
      args = [`${SHIM_DIR}/${SHIM_FILE}`, META, nonce, ...spec.args];
    } else args = ["/bin/sh", "-c", `${SHIM}\n: ${nonce}`, "gantry-exec", ...spec.args];
    const exec = graph.add(
      execOp(
        top,
        {
          args,
          env,
          cwd: workdirOf(spec),
          // only top gets here; BuildKit looks even "0" up in /etc/passwd, which an image may not have
          user: "",
        },
        mounts,
      ),
      spec.step,
    );
    const root: Ref = { digest: exec.digest, index: 0 };
    const meta = graph.add(alsoKeepOp({ digest: exec.digest, index: 1 }, root));
    return { base, graph, sources, root, meta, liveOutput: shim !== undefined };
  }

  // The build's shim for `arch` as a tree the session serves like any source (from memory; BuildKit keeps its copy, so
  // it is sent once); undefined where the build made none.
  private shimOf(arch: string): Promise<Tree | undefined> {
    let shim = this.shims.get(arch);
    if (!shim) {
      shim = (async () => {
        const file = shimFile(arch);
        if (!file) return undefined;
        const data = await readFile(file);
        const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
        this.shimBlobs.set(digest, data);
        return {
          entries: { [SHIM_FILE]: { type: "file", mode: 0o755, digest, size: data.length } },
        } satisfies Tree;
      })();
      this.shims.set(arch, shim);
      shim.catch(() => this.shims.delete(arch));
    }
    return shim;
  }

  // The base image's config and platform, and a name BuildKit resolves from the engine's own store: a tag on its id,
  // in gantry-cache (so `cache prune` may remove it with a Gantry image), asked once per run.
  private baseOf(id: string): Promise<BaseImage> {
    let base = this.bases.get(id);
    if (!base) {
      base = (async () => {
        const info = await this.ctx.docker.getImage(id).inspect();
        // BuildKit names images, so each base gets a tag of this run's: removed when the run closes, or by the
        // next run's reaper when this process is killed
        const tag = baseTag(digestHex(id), this.ctx.runId);
        await recordBaseTag(this.tagRecord, `${BASE_REPO}:${tag}`);
        await this.ctx.docker.getImage(id).tag({ repo: BASE_REPO, tag });
        return {
          id,
          name: `${BASE_REPO}:${tag}`,
          config: (info.Config ?? {}) as BaseConfig,
          platform: {
            os: info.Os || "linux",
            architecture: info.Architecture || "amd64",
            variant: (info as { Variant?: string }).Variant,
          },
        };
      })();
      this.bases.set(id, base);
      base.catch(() => this.bases.delete(id));
    }
    return base;
  }

  /**
   * Remove this run's base tags where the image has another name (a user's image, an exec's snapshot); an image whose
   * only names are base tags (a file-ops snapshot, untagged) keeps one, or docker would delete the image with the tag.
   */
  async close(): Promise<void> {
    this.control.close();
    const bases = await Promise.all([...this.bases.values()].map((p) => p.catch(() => undefined)));
    for (const base of bases) if (base) await removeBaseTag(this.ctx.docker, base.name);
    await rm(this.tagRecord, { force: true });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// A fallback is not an error (the container API runs the exec), but with GANTRY_DEBUG it is said.
function fellBack(spec: ExecSpec, why: string): void {
  debugNote(`exec ${spec.step} runs as a container: ${why}`);
}

/** The base image's config fields a commit keeps (Docker's names). */
interface BaseConfig {
  Env?: string[];
  Volumes?: Record<string, object>;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, object>;
  Healthcheck?: object;
  StopSignal?: string;
  Shell?: string[];
  OnBuild?: string[];
}

interface BaseImage {
  id: string;
  name: string;
  config: BaseConfig;
  platform: { os: string; architecture: string; variant?: string };
}

function pick<T extends object, K extends keyof T>(from: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (from[k] !== undefined && from[k] !== null) out[k] = from[k];
  return out;
}

interface Plan {
  base: BaseImage;
  graph: Graph;
  sources: Map<string, Tree>;
  /** The exec's output 0, its root after it (the exec op's digest is this ref's). */
  root: Ref;
  meta: Ref;
  /** The binary shim passes the output on as it comes (the shell shim only writes the files). */
  liveOutput: boolean;
}

/** The session's name for the shim's tree (the exec's puts are op0, op1, …). */
const SHIM_SOURCE = "gantry-shim";

// The output BuildKit streams as the exec's log, passed on as it comes. The shim's files are the record: once BuildKit
// clips a stream (over 200 KiB/s, saying so) the rest of it is passed on from them when the exec ends, and so is
// anything the log stream left out.
class LiveOutput {
  private readonly sent = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  private readonly decoders = {
    stdout: new StringDecoder("utf8"),
    stderr: new StringDecoder("utf8"),
  };
  private readonly clipped = { stdout: false, stderr: false };

  constructor(private readonly onOutput: ExecSpec["onOutput"]) {}

  take(stream: number, data: Buffer): void {
    const name = stream === 1 ? "stdout" : stream === 2 ? "stderr" : undefined;
    if (!name || this.clipped[name]) return;
    const clip = data.indexOf(CLIPPED);
    if (clip >= 0) {
      this.clipped[name] = true;
      data = data.subarray(0, clip);
    }
    this.sent[name].push(data);
    const text = this.decoders[name].write(data);
    if (text) this.onOutput?.(name, text);
  }

  /** Pass on what `exact` (the stream's whole record) holds beyond what was passed on. */
  finish(name: "stdout" | "stderr", exact: Buffer): void {
    const sent = Buffer.concat(this.sent[name]);
    let same = exact.subarray(0, sent.length).equals(sent) ? sent.length : 0;
    while (same < sent.length && same < exact.length && sent[same] === exact[same]) same++;
    const text = this.decoders[name].write(exact.subarray(same)) + this.decoders[name].end();
    if (text) this.onOutput?.(name, text);
  }
}

function absolute(p: string): string {
  return path.resolve("/", p);
}
