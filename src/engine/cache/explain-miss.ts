// "Why did this step not come from cache": compare a step's inputs with those of the last time it ran.
import { imageName, type ExecNode } from "../nodes.js";
import type { Session } from "../session.js";
import { digestOf } from "../../store/digest.js";
import type { ExecInput, ExecPlan } from "../evaluate/exec-plan.js";
import { treeDigest, type Tree } from "../../store/tree.js";

interface StepRecord {
  digest: string;
  inputs: ExecInput[];
  time: number;
}

/** A step's identity across runs: its command, image and place in its chain — not its content. */
export function stepKeyOf(s: Session, exec: ExecNode, plan: ExecPlan): string {
  let depth = 0;
  for (let fs = exec.state.fs; fs.kind === "exec"; fs = fs.exec.state.fs) depth++;
  return digestOf({
    runtime: s.runtime.name,
    image: imageName(exec.state.image) ?? null,
    args: plan.spec.args,
    depth,
    workdir: plan.spec.workdir,
  });
}

/** Remember what a step ran with, and keep its directory inputs, for the next explanation. */
export async function recordStepInputs(s: Session, key: string, plan: ExecPlan): Promise<void> {
  for (const t of plan.trees) await s.store.saveTree(t);
  const rec: StepRecord = { digest: plan.digest, inputs: plan.inputs, time: Date.now() };
  await s.store.putRecord("step", key, rec);
}

/** A one-line reason for a cache miss, naming the inputs (and files) that changed. */
export async function explainMiss(s: Session, key: string, plan: ExecPlan): Promise<string> {
  const prev = await s.store.getRecord<StepRecord>("step", key);
  if (!prev) return "no earlier result for this step";
  const before = new Map(prev.inputs.map((i) => [i.name, i]));
  const reasons: string[] = [];
  for (const input of plan.inputs) {
    const old = before.get(input.name);
    before.delete(input.name);
    if (!old) reasons.push(`${input.name} is new`);
    else if (old.digest !== input.digest)
      reasons.push(await describeChange(s, input, old, plan.trees));
  }
  for (const gone of before.keys()) reasons.push(`${gone} was removed`);
  if (reasons.length === 0) return "inputs are unchanged but the earlier result is gone";
  return (
    reasons.slice(0, 4).join("; ") + (reasons.length > 4 ? `; and ${reasons.length - 4} more` : "")
  );
}

async function describeChange(
  s: Session,
  now: ExecInput,
  old: ExecInput,
  current: Tree[],
): Promise<string> {
  if (!now.tree || !old.tree) return `${now.name} changed`;
  try {
    // The current tree is not saved yet (it is saved when the step succeeds); find it among the plan's trees.
    const b = current.find((t) => treeDigest(t) === now.tree) ?? (await s.store.loadTree(now.tree));
    const a = await s.store.loadTree(old.tree);
    const files = changedPaths(a, b);
    const shown = files.slice(0, 3).join(", ");
    return `${now.name} changed (${files.length} file${files.length === 1 ? "" : "s"}: ${shown}${files.length > 3 ? ", …" : ""})`;
  } catch {
    return `${now.name} changed`;
  }
}

function changedPaths(a: Tree, b: Tree): string[] {
  const out: string[] = [];
  for (const [p, e] of Object.entries(b.entries)) {
    const o = a.entries[p];
    if (e.type === "dir" && o?.type === "dir") continue;
    if (!o) out.push(`+${p}`);
    else if (JSON.stringify(o) !== JSON.stringify(e)) out.push(`~${p}`);
  }
  for (const p of Object.keys(a.entries))
    if (!(p in b.entries) && a.entries[p]?.type !== "dir") out.push(`-${p}`);
  return out.sort((x, y) => x.slice(1).localeCompare(y.slice(1)));
}
