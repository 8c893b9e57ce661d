// `format --fix`: run the formatter in a container, show the diff, then write the changed files back to the host.
import path from "node:path";
import { dag, ReturnType, type Container, type Directory } from "../../sdk/index.js";
import { commandArgv, type Command } from "./command.js";
import type { ToolchainPlan } from "./toolchain-plan.js";

/** The host folder a Directory was read from (`dag.host().directory(...)`, a `defaultPath`), if it was one. */
export function hostPathOf(dir: Directory): string | undefined {
  const node = dir._node as { op: string; path?: unknown };
  return node.op === "host" && typeof node.path === "string" ? path.resolve(node.path) : undefined;
}

export interface FormatFix {
  /** Unified diff of what the formatter changed (empty when nothing). */
  diff: string;
  /** The changed files only, laid out like the source. */
  changes: Directory;
  files: string[];
}

/** What `fix` changes in `src`, as a diff and as a directory of the changed files. */
export async function formatChanges(
  plan: ToolchainPlan,
  ws: Container,
  src: Directory,
  fix: Command,
): Promise<FormatFix> {
  const fixed = ws
    .withExec(commandArgv(fix))
    .directory(plan.workdir)
    .filter({ exclude: plan.exclude });
  const changes = src.diff(fixed);
  // glob lists the folders on the way to a changed file too; keep the files
  const found = (await changes.glob("**/*")).map((f) => f.replace(/\/$/, ""));
  const files = found.filter((f) => !found.some((o) => o.startsWith(`${f}/`)));
  if (files.length === 0) return { diff: "", changes, files };
  const diff = await dag
    .container()
    .from(plan.image)
    .withMountedDirectory("/before", src)
    .withMountedDirectory("/after", fixed)
    .withWorkdir("/")
    .withExec(["diff", "-ruN", "before", "after"], { expect: ReturnType.Any })
    .stdout();
  return { diff, changes, files };
}
