// "Why did this step not come from cache": compare a step's inputs with those of the last time it ran.
import path from "node:path";
import { imageName, type ExecNode } from "../nodes.js";
import type { Session } from "../session.js";
import { digestOf } from "../../store/digest.js";
import type { ExecInput, ExecPlan } from "../evaluate/exec-plan.js";
import type { MissReason } from "../events.js";
import { treeDigest, type Tree } from "../../store/tree.js";
import { changedPaths, summarizeMiss } from "./miss-summary.js";

interface StepRecord {
  digest: string;
  inputs: ExecInput[];
  time: number;
}

/** The steps that last ran at one place of a chain (same project, image, depth, workdir), whatever their command. */
interface PlaceRecord {
  /** `digest` is missing from records written before it was kept (such a step counts as another run's). */
  steps: { key: string; inputs: ExecInput[]; time: number; digest?: string }[];
}

const PLACE_KEEP = 8;
const FILES_KEPT = 50;

/** Identity and place of a step across runs: its step key (with the command) and its place key (without). */
export interface StepKeys {
  step: string;
  place: string;
}

/**
 * A step's identity across runs: its project, command, image and place in its chain — not its content. Projects share
 * a state dir (and its records), so the project is part of it: `echo hi` in one is not an edit of `echo hello` in another.
 */
export function stepKeyOf(s: Session, exec: ExecNode, plan: ExecPlan): StepKeys {
  let depth = 0;
  for (let fs = exec.state.fs; fs.kind === "exec"; fs = fs.exec.state.fs) depth++;
  const place = {
    project: path.resolve(s.projectDir),
    runtime: s.runtime.name,
    image: imageName(exec.state.image) ?? null,
    depth,
    workdir: plan.spec.workdir,
  };
  return { step: digestOf({ ...place, args: plan.spec.args }), place: digestOf(place) };
}

/** Remember what a step ran with (details scrubbed), and keep its directory inputs, for the next explanation. */
export async function recordStepInputs(s: Session, keys: StepKeys, plan: ExecPlan): Promise<void> {
  for (const t of plan.trees) await s.store.saveTree(t);
  const inputs = plan.inputs.map((i) => (i.detail ? { ...i, detail: s.scrub(i.detail) } : i));
  const time = Date.now();
  await s.store.putRecord("step", keys.step, { digest: plan.digest, inputs, time });
  const place = (await s.store.getRecord<PlaceRecord>("step-place", keys.place)) ?? { steps: [] };
  const steps = [
    { key: keys.step, inputs, time, digest: plan.digest },
    ...place.steps.filter((p) => p.key !== keys.step),
  ];
  await s.store.putRecord("step-place", keys.place, { steps: steps.slice(0, PLACE_KEEP) });
}

/** Why a step missed the cache: one line for progress, one entry per changed input for `--explain` and the record. */
export async function explainMiss(
  s: Session,
  keys: StepKeys,
  plan: ExecPlan,
): Promise<{ miss: string; why: MissReason[] }> {
  const prev = await s.store.getRecord<StepRecord>("step", keys.step);
  let why: MissReason[];
  if (prev) why = await compareInputs(s, plan, prev.inputs);
  else {
    const nearest = await nearestAtPlace(s, keys.place, plan);
    why = nearest
      ? await compareInputs(s, plan, nearest.inputs)
      : [{ input: "this step", change: "first-run" }];
  }
  if (why.length === 0) why = [{ input: "its earlier result", change: "unknown" }];
  return { miss: summarizeMiss(why), why };
}

// Without an earlier run of this very command, the step that last ran at the same place (most inputs alike) is what it
// replaced — but only a step like it: the same kinds of inputs and the same program. A sibling at the same place (a
// daily audit beside a lint, both over one installed workspace) is another step, not this one edited; so is a step
// this run has already met (recorded by it, or served from cache in it): what an edit replaced is not in the run.
async function nearestAtPlace(
  s: Session,
  place: string,
  plan: ExecPlan,
): Promise<{ inputs: ExecInput[] } | undefined> {
  const rec = await s.store.getRecord<PlaceRecord>("step-place", place);
  if (!rec?.steps.length) return undefined;
  const shape = shapeOf(plan.inputs);
  // every exec this run evaluated, the ones it recorded too, is in execsMet before its own record is written
  const inThisRun = (p: PlaceRecord["steps"][number]) =>
    p.digest !== undefined && s.execsMet.has(p.digest);
  const like = rec.steps.filter((p) => shapeOf(p.inputs) === shape && !inThisRun(p));
  if (like.length === 0) return undefined;
  const now = new Map(plan.inputs.map((i) => [i.name, i.digest]));
  const alike = (inputs: ExecInput[]) => inputs.filter((i) => now.get(i.name) === i.digest).length;
  return [...like].sort((a, b) => alike(b.inputs) - alike(a.inputs) || b.time - a.time)[0];
}

// What makes two steps the same step with an edit: their inputs' names (env variables, mounts, secrets, files) and
// the program their command runs (`npm` of `npm test`, also inside `sh -c "(npm audit …"`).
function shapeOf(inputs: ExecInput[]): string {
  const names = inputs
    .map((i) => i.name)
    .filter((n) => n !== "command" && n !== "environment order");
  const cmd = inputs.find((i) => i.name === "command")?.detail ?? "";
  return `${programOf(cmd)}\n${[...new Set(names)].sort().join("\n")}`;
}

/** Programs whose next word names what they run (`npm test`, `go vet`, `make lint`): part of the program. */
const DISPATCHERS = new Set([
  "npm",
  "pnpm",
  "yarn",
  "bun",
  "npx",
  "bunx",
  "go",
  "mix",
  "cargo",
  "make",
  "just",
  "poetry",
  "uv",
  "pipenv",
  "bundle",
  "rake",
  "gradle",
  "mvn",
  "dotnet",
  "deno",
]);
/** Their words that run something named next (`npm run lint`, `poetry run pytest`). */
const RUN_WORDS = new Set(["run", "run-script", "exec", "x"]);
/**
 * Their options (before the task) that must take a value, as the next word: `make -C dir lint` runs `lint`, not `dir`.
 * Per program, since a letter means different things (`make -d` is debug output, `just -d` a folder); options whose
 * value is optional (`make -j`) are left out. Written `--opt=value` or `-Cdir`, the value is in the same word.
 */
const VALUE_FLAGS: Record<string, readonly string[]> = {
  make: ["-C", "-f", "-I", "-o", "-W", "--directory", "--file", "--makefile", "--include-dir"],
  just: ["-f", "-d", "--justfile", "--working-directory", "--set"],
  npm: ["-w", "--prefix", "--workspace"],
  pnpm: ["-C", "-F", "--dir", "--filter"],
  yarn: ["--cwd"],
  bun: ["--cwd"],
  go: ["-C"],
  poetry: ["-C", "-P", "--directory", "--project"],
  uv: ["--directory", "--project"],
  cargo: ["-C", "--manifest-path", "--config"],
  gradle: ["-p", "-b", "--project-dir", "--build-file"],
  mvn: ["-f", "-pl", "--file", "--projects"],
  rake: ["-f", "--rakefile"],
};

/**
 * The program a command runs: its first word past `sh -c`/`bash -c`, a subshell's `(` and `VAR=value` assignments;
 * for a dispatcher, with what it dispatches to (`npm run lint`, `npm test`, `go vet`), so every task of a project
 * whose tasks all start with `npm` is not taken for an edit of another.
 */
export function programOf(command: string): string {
  const words = command
    .replace(/^(\S*\/)?(ba|da|z)?sh\s+(-\w+\s+)*-c\s+/, "")
    .split(/[\s();&|]+/)
    .filter((w) => w !== "");
  const at = words.findIndex((w) => !/^\w+=/.test(w));
  if (at < 0) return "";
  const program = [words[at] as string];
  if (!DISPATCHERS.has(program[0] as string)) return program[0] as string;
  const rest = words.slice(at + 1);
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i] as string;
    if (w.startsWith("-")) {
      if (VALUE_FLAGS[program[0] as string]?.includes(w)) i++;
      continue;
    }
    if (/^\d+$/.test(w)) continue;
    program.push(w);
    if (!RUN_WORDS.has(w)) break;
  }
  return program.join(" ");
}

// Every input that is new, gone or different, with files for directories and safe details.
async function compareInputs(
  s: Session,
  plan: ExecPlan,
  earlier: ExecInput[],
): Promise<MissReason[]> {
  const before = new Map(earlier.map((i) => [i.name, i]));
  const why: MissReason[] = [];
  for (const input of plan.inputs) {
    const old = before.get(input.name);
    before.delete(input.name);
    if (!old) why.push({ input: input.name, change: "new" });
    else if (old.digest !== input.digest) why.push(await describeChange(s, input, old, plan.trees));
  }
  for (const gone of before.keys()) why.push({ input: gone, change: "removed" });
  return why;
}

// A changed input, with the files that changed for a directory and before/after for an image or command.
async function describeChange(
  s: Session,
  now: ExecInput,
  old: ExecInput,
  current: Tree[],
): Promise<MissReason> {
  const reason: MissReason = { input: now.name, change: "changed" };
  if (now.name.startsWith("base image ") && old.detail && now.detail)
    reason.detail = `content id ${short(old.detail)} → ${short(now.detail)}`;
  else if (now.name === "command" && old.detail) reason.detail = `earlier: ${s.scrub(old.detail)}`;
  else if (now.detail) reason.detail = s.scrub(now.detail);
  if (!now.tree || !old.tree) return reason;
  try {
    // The current tree is not saved yet (it is saved when the step succeeds); find it among the plan's trees.
    const b = current.find((t) => treeDigest(t) === now.tree) ?? (await s.store.loadTree(now.tree));
    const a = await s.store.loadTree(old.tree);
    const files = changedPaths(a, b);
    reason.files = files.slice(0, FILES_KEPT).map((f) => s.scrub(f));
    reason.fileCount = files.length;
  } catch {
    // an earlier tree that is gone: say the directory changed, without files
  }
  return reason;
}

// `sha256:0123456789ab…` → `0123456789ab`: enough to tell two ids apart.
function short(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}
