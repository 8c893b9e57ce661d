// Execs through dockerd's BuildKit (experimental: DockerRuntimeOptions.buildkitExec, GANTRY_BUILDKIT_EXEC=1): the
// exec and its pending file ops are solved as LLB by the solver `docker build` uses, so no container is created,
// started, committed or removed through the container API. An exec BuildKit cannot run as the container API would
// is left to it (undefined); so is one whose solve fails before its command starts. The command's own exit code is
// a value the shim reports, never a failed solve. Design and measurements: performance.md, Decision 18.
import path from "node:path/posix";
import { DEFAULT_PATH, type ExecOutcome, type ExecSpec, type FsOp } from "../../runtime.js";
import { CancelledError, InternalError } from "../../../errors.js";
import { digestHex } from "../../../store/digest.js";
import { treeDigest, type Tree } from "../../../store/tree.js";
import type { DockerRunContext } from "../connection/run-context.js";
import { engineFailure, ignoreGone } from "../connection/docker-errors.js";
import { userOf, workdirOf } from "../exec/exec-config.js";
import { commitContainer } from "../exec/commit.js";
import { createFileContainer, removeContainer } from "../exec/containers.js";
import { execCommitOptions } from "../exec/exec-snapshot.js";
import { BuildkitControl } from "./control.js";
import { MTIME_NS, openExecSession } from "./exec-session.js";
import { copyIntoOp, execOp, Graph, rmOp, sourceOp, type ExecMount, type Ref } from "./llb.js";

/** Where the shim writes the command's stdout, stderr and exit code: a scratch mount, the exec's output 1. */
const META = "/dev/.gantry-exec";
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

/** BuildKit names images, so each base gets a tag of this run's for the solve; removed when the run closes. */
const BASE_REPO = "gantry-buildkit-base";

/** Why this exec stays on the container API; undefined when BuildKit can run it as the container API would. */
export function whyNotBuildkit(spec: ExecSpec): string | undefined {
  if (spec.args.length === 0) return "no command";
  if (spec.terminal) return "a terminal";
  if (spec.stdin !== undefined) return "stdin";
  if (Object.keys(spec.secretEnv).length > 0) return "secret variables";
  if ((spec.services ?? []).length > 0 || spec.network) return "service bindings";
  if (spec.memoryLimit !== undefined) return "a memory limit";
  if (spec.redirectStdout !== undefined || spec.redirectStderr !== undefined) return "redirects";
  if (spec.mounts.some((m) => m.kind !== "tmp")) return "mounts";
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
  private readonly baseTags = new Map<string, Promise<string>>();

  constructor(private readonly ctx: DockerRunContext) {
    this.control = new BuildkitControl(ctx.docker);
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
      plan = this.plan(spec, await this.baseName(spec.base));
    } catch (e) {
      fellBack(spec, `its base could not be named for BuildKit: ${String(e)}`);
      return undefined;
    }
    const session = await openExecSession(
      this.ctx.docker,
      this.ctx.store,
      plan.sources,
      "gantry",
    ).catch((err: unknown) => void fellBack(spec, `no BuildKit session: ${String(err)}`));
    if (!session) return undefined;
    // Before the command started, any failure leaves the exec to the container API; after, running it again there
    // could repeat what it did (a deploy, a migration), so it is an error of its own.
    let started = false;
    let files: Record<string, Buffer>;
    try {
      const solved = await this.control.solve(
        plan.graph.definition(plan.meta, { honourIgnoreCache: true }),
        {
          exporter: "tar",
          session: session.id,
          signal,
        },
      );
      started = solved.vertices.get(plan.meta.digest)?.started === true;
      if (signal.aborted) throw cancelled();
      if (solved.status !== 0) throw new Error(solved.message || `gRPC status ${solved.status}`);
      files = untar(await session.exported());
      if (!/^\d+\n?$/.test(files["exit"]?.toString() ?? ""))
        throw new Error("the exec's shim left no exit code");
    } catch (err) {
      if (signal.aborted) throw cancelled(err);
      if ((err as { code?: unknown }).code === "ECONNRESET")
        throw engineFailure(`running exec ${spec.step}`, err);
      if (started)
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
    const stdout = (files["stdout"] ?? Buffer.alloc(0)).toString("utf8");
    const stderr = (files["stderr"] ?? Buffer.alloc(0)).toString("utf8");
    if (stdout) spec.onOutput?.("stdout", stdout);
    if (stderr) spec.onOutput?.("stderr", stderr);
    let kept: Promise<string> | undefined;
    const keep = () => (kept ??= this.keep(spec, plan));
    return { keep, exitCode: exit, stdout, stderr };
  }

  // The root after the exec (BuildKit has it cached) exported into the image store, then committed with the exec's
  // config and labels as the container API's commit would: dockerd's BuildKit (20.10) ignores a config given to its
  // image exporter, so the export is only the filesystem.
  private async keep(spec: ExecSpec, plan: Plan): Promise<string> {
    const session = await openExecSession(this.ctx.docker, this.ctx.store, plan.sources, "gantry");
    let exported: string | undefined;
    try {
      const solved = await this.control.solve(
        plan.graph.definition(plan.root, { honourIgnoreCache: false }),
        {
          exporter: "moby",
          session: session.id,
          signal: new AbortController().signal,
        },
      );
      exported = solved.exporterResponse["containerimage.digest"];
      if (solved.status !== 0 || !exported)
        throw new Error(
          `BuildKit could not export the filesystem of exec ${spec.step}: ${solved.message}`,
        );
    } finally {
      session.close();
    }
    const container = await createFileContainer(this.ctx, exported);
    try {
      return await commitContainer(container, execCommitOptions(this.ctx, spec));
    } finally {
      await removeContainer(container);
    }
  }

  // The LLB: the base image, each file op, the exec through the shim.
  private plan(spec: ExecSpec, base: string): Plan {
    const graph = new Graph();
    const sources = new Map<string, Tree>();
    let root: Ref = graph.add(sourceOp(`docker-image://docker.io/library/${base}`));
    spec.ops.forEach((op: FsOp, i) => {
      if (op.op === "rm") {
        root = graph.add(rmOp(root, absolute(op.path)));
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
      root = graph.add(copyIntoOp(root, local, dest, MTIME_NS, ownerIds(op.owner) ?? undefined));
    });
    const env = [
      ...spec.env,
      ...Object.entries(spec.volatileEnv ?? {}).map(([k, v]) => `${k}=${v}`),
    ];
    if (!env.some((e) => e.startsWith("PATH="))) env.push(`PATH=${DEFAULT_PATH}`);
    const mounts: ExecMount[] = [
      { kind: "scratch", dest: META, output: 1 },
      ...spec.mounts.flatMap((m) =>
        m.kind === "tmp" ? [{ kind: "tmpfs" as const, dest: m.target }] : [],
      ),
    ];
    const exec = graph.add(
      execOp(
        root,
        {
          args: ["/bin/sh", "-c", SHIM, "gantry-exec", ...spec.args],
          env,
          cwd: workdirOf(spec),
          user: userOf(spec),
        },
        mounts,
      ),
      { name: spec.step, ignoreCache: true },
    );
    return {
      graph,
      sources,
      root: { digest: exec.digest, index: 0 },
      meta: { digest: exec.digest, index: 1 },
    };
  }

  // A name BuildKit resolves from the engine's own store: a tag of this run's on the base image's id.
  private baseName(id: string): Promise<string> {
    let name = this.baseTags.get(id);
    if (!name) {
      const tag = `${digestHex(id).slice(0, 40)}-${this.ctx.runId}`.replace(
        /[^A-Za-z0-9_.-]/g,
        "-",
      );
      name = this.ctx.docker
        .getImage(id)
        .tag({ repo: BASE_REPO, tag })
        .then(() => `${BASE_REPO}:${tag}`);
      this.baseTags.set(id, name);
      name.catch(() => this.baseTags.delete(id));
    }
    return name;
  }

  /** Remove this run's base tags (the images stay) and the control connection. */
  async close(): Promise<void> {
    this.control.close();
    const names = await Promise.all(
      [...this.baseTags.values()].map((p) => p.catch(() => undefined)),
    );
    for (const name of names)
      if (name)
        await ignoreGone(this.ctx.docker.getImage(name).remove({ noprune: true })).catch(
          () => undefined,
        );
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// A fallback is not an error (the container API runs the exec), but with GANTRY_DEBUG it is said.
function fellBack(spec: ExecSpec, why: string): void {
  if (process.env["GANTRY_DEBUG"] && process.env["GANTRY_DEBUG"] !== "0")
    process.stderr.write(`gantry: exec ${spec.step} runs as a container: ${why}\n`);
}

interface Plan {
  graph: Graph;
  sources: Map<string, Tree>;
  root: Ref;
  meta: Ref;
}

function absolute(p: string): string {
  return path.resolve("/", p);
}

// The regular files of a tar (ustar headers), by name.
function untar(buf: Buffer): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let o = 0; o + 512 <= buf.length;) {
    const name = buf
      .subarray(o, o + 100)
      .toString("utf8")
      .replace(/\0.*$/s, "");
    if (!name) break;
    const size = parseInt(
      buf
        .subarray(o + 124, o + 136)
        .toString("latin1")
        .replace(/\0.*$/s, "")
        .trim() || "0",
      8,
    );
    const type = buf[o + 156];
    if (type === 48 || type === 0)
      files[name.replace(/^\.?\//, "")] = buf.subarray(o + 512, o + 512 + size);
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
