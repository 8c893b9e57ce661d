// Before an exec touches the disk: its upper tree, environment and workdir, and every refusal the host runtime owes.
import { stat } from "node:fs/promises";
import path from "node:path";
import { CancelledError, UnsupportedError } from "../../errors.js";
import type { ExecSpec } from "../runtime.js";
import type { Tree } from "../../store/tree.js";
import { assertCommandAvailable } from "./command-check.js";
import { assertRootUser, execEnv } from "./exec-env.js";
import type { HostExecContext } from "./host-exec.js";
import type { ProcessResult } from "./run-process.js";
import { assertWritable, isReserved, treePathOf } from "./system-view.js";
import { applyOpsChecked, assertPlacesWritable } from "./upper-tree.js";

export interface ExecPlan {
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

/**
 * A directory the exec needs (its workdir, HOME, /tmp) is made with the host's mkdir, which would follow a symlink of
 * the tree to wherever it points on the host. So the path is resolved through the tree's own symlinks first (as the
 * sandbox would): what it reaches is made, or nothing when that is a directory already; a path that cannot be
 * resolved inside the tree (a loop, a file on the way) is refused, naming it.
 */
function createdInTree(tree: Tree, p: string, step: string): string | undefined {
  let rest = p.split("/");
  let out: string[] = [];
  let hops = 0;
  while (rest.length > 0) {
    const c = rest.shift() as string;
    if (c === "" || c === ".") continue;
    if (c === "..") {
      out.pop();
      continue;
    }
    const entry = tree.entries[[...out, c].join("/")];
    if (entry?.type === "symlink") {
      if (++hops > 40) throw unresolvable(p, "its symlinks loop", step);
      if (entry.target.startsWith("/")) out = [];
      rest = [...entry.target.split("/"), ...rest];
      continue;
    }
    if (entry?.type === "file") throw unresolvable(p, `/${[...out, c].join("/")} is a file`, step);
    out.push(c);
  }
  const resolved = out.join("/");
  return resolved === "" || tree.entries[resolved]?.type === "dir" ? undefined : resolved;
}

function unresolvable(p: string, why: string, step: string): UnsupportedError {
  return new UnsupportedError(`host runtime cannot create /${p} (step: ${step}): ${why}`, {
    hint: "use a directory path of the container's own files, or run with --runtime=docker",
  });
}

/** An exec cancelled before its process started. */
export function cancelledBeforeStart(spec: ExecSpec): CancelledError {
  return new CancelledError(`exec cancelled before it started (step: ${spec.step})`);
}

/** Everything that can be refused is refused here, before any file is written or process started. */
export async function planExec(spec: ExecSpec, ctx: HostExecContext): Promise<ExecPlan> {
  const cmd = spec.args[0];
  if (cmd === undefined)
    throw new TypeError(`exec needs a command, got no args (step: ${spec.step})`);
  if (spec.signal.aborted) throw cancelledBeforeStart(spec);
  assertRootUser(spec);
  if (ctx.mode === "plain" && spec.services?.length)
    throw new UnsupportedError(
      `host runtime without bubblewrap cannot resolve service aliases (step: ${spec.step}): ` +
        `install bubblewrap, or run with --runtime=docker`,
    );
  const base = await ctx.store.loadTree(spec.base);
  const tree = await applyOpsChecked(base, spec.ops, ctx.view, spec.step);
  const workdir = path.posix.resolve("/", spec.workdir || "/");
  const toWorkdir = (p: string | undefined): string | undefined =>
    p && path.posix.resolve(workdir, p);
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
  const home =
    env.HOME?.startsWith("/") && !isReserved(ctx.view, env.HOME) ? treePathOf(env.HOME) : "";
  const defaults = [home, ctx.mode === "bubblewrap" ? "tmp" : ""].filter(
    (p) => p !== "" && !tree.entries[p],
  );
  const wanted = [...(wd !== "" && !isReserved(ctx.view, workdir) ? [wd] : []), ...defaults];
  const created = [
    ...new Set(
      wanted.flatMap((p) => {
        const q = createdInTree(tree, p, spec.step);
        return q === undefined || isReserved(ctx.view, "/" + q) ? [] : [q];
      }),
    ),
  ];
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
