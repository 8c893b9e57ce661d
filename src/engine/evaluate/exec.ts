// Running one exec: from cache when its digest was seen, else through the runtime under the parallelism limit.
import type { ExecNode } from "../nodes.js";
import type { Session } from "../session.js";
import type { Snapshot } from "../../runtime/runtime.js";
import { DryRunStop, ExecError } from "../../errors.js";
import { LineScrubber } from "../scrubber.js";
import { planExec, startBindings, type ExecPlan } from "./exec-plan.js";
import {
  lookupExec,
  recordExec,
  type CacheLookup,
  type ExecRecord,
  type MountOutputRef,
} from "../cache/exec-records.js";
import type { MissReason } from "../events.js";
import { isStandIn } from "../lazy-snapshots.js";
import { describeReason } from "../cache/miss-summary.js";
import { startStep, type StepHandle } from "./steps.js";
import { withoutToolCheck } from "./tool-check-wrapper.js";
import type { FailureContext } from "./exec-failure.js";
import { collectTestReports, testReportsPath } from "./test-reports.js";
import { InternalError } from "../../errors.js";
import { mountHasOutput, type MountOutput } from "../../runtime/runtime.js";
import type { FileEntry, Tree } from "../../store/tree.js";
import { mountTarget } from "./mounts.js";
import type { ReleaseLock } from "../../store/file-lock.js";
import { digestHex } from "../../store/digest.js";

export interface ExecResult {
  digest: string;
  snapshot: Snapshot;
  /** Writable directory/file mounts after the exec, by absolute target. */
  mounts?: Record<string, MountOutputRef>;
  exitCode: number;
  stdout: string;
  stderr: string;
  cached: boolean;
  /** Container folders filled from host folders, this exec's and its chain's (for tools' file paths). */
  sources?: { target: string; host: string }[];
}

/** Evaluate an exec node once per run (and once per digest across identical nodes). */
export function runExec(s: Session, exec: ExecNode): Promise<ExecResult> {
  let p = s.memo.get(exec) as Promise<ExecResult> | undefined;
  if (!p) {
    p = (async () => {
      const plan = await planOrSayWhy(s, exec);
      for (const v of plan.secretValues) s.scrubber.add(v);
      return (await s.flights.run(`exec:${plan.digest}`, () =>
        execute(s, exec, plan),
      )) as ExecResult;
    })();
    s.memo.set(exec, p);
    s.track(p);
  }
  return p;
}

// Under --dry-run, an exec whose inputs depend on a step that would run cannot be keyed: it would run too, say so.
async function planOrSayWhy(s: Session, exec: ExecNode): Promise<ExecPlan> {
  try {
    return await planExec(s, exec);
  } catch (e) {
    if (!(e instanceof DryRunStop)) throw e;
    const reason = { input: e.step ?? "an earlier step", change: "depends" as const };
    const args = exec.args.map((a) => s.scrub(a));
    startStep(s, { name: execStepName(args), kind: "exec", command: args }).end("would-run", {
      miss: describeReason(reason),
      why: [reason],
    });
    throw e;
  }
}

/** A readable step name: `withExec npm test`; a check's `sh -c` script without its missing-tool wrapper. */
export function execStepName(args: readonly string[]): string {
  const shell = /^(\S*\/)?(ba|da)?sh$/.test(args[0] ?? "") && args[1] === "-c";
  const shown = shell ? args.map((a, i) => (i === 2 ? withoutToolCheck(a) : a)) : args;
  const cmd = shown.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(" ");
  return `withExec ${cmd.length > 100 ? cmd.slice(0, 97) + "…" : cmd}`;
}

/**
 * Run the exec, from cache when its record allows. `keepFilesystem`: its filesystem is read now, and its record
 * kept only the output (nothing read the filesystem when it last ran): such a record does not count as a hit.
 */
async function execute(
  s: Session,
  exec: ExecNode,
  plan: ExecPlan,
  keepFilesystem = false,
): Promise<ExecResult> {
  s.throwIfCancelled();
  // scrubbed before it is cut to length: a cut could split a secret so that the scrubber no longer sees it
  const name = execStepName(plan.spec.args.map((a) => s.scrub(a)));
  const step = startStep(s, {
    name,
    kind: "exec",
    digest: plan.digest,
    command: plan.spec.args,
    ...(plan.spec.image ? { image: plan.spec.image } : {}),
    workdir: plan.spec.workdir || "/",
    ...(plan.sources.length ? { sources: plan.sources } : {}),
  });
  const reports = testReportsPath(plan.spec.env, plan.spec.workdir);
  const outputTargets = plan.spec.mounts.filter(mountHasOutput).map((m) => m.target);
  const usable = (c: CacheLookup): c is Extract<CacheLookup, { hit: true }> =>
    c.hit && (!keepFilesystem || c.record.snapshot !== undefined);
  const gone = (c: CacheLookup): Gone =>
    c.hit ? (keepFilesystem ? "not-kept" : undefined) : c.pruned ? "pruned" : undefined;
  s.execsMet.add(plan.digest);
  const cached = await lookupExec(s, plan.digest, outputTargets);
  if (usable(cached)) return fromCache(s, exec, plan, step, name, reports, cached.record);
  if (s.dryRun) return missed(s, exec, plan, step, name, reports, gone(cached));
  // Another Gantry process on this state dir may be running the same step: wait for it, then take its result.
  const unlock = await lockStep(s, plan.digest, name).catch((e: unknown) => {
    step.end("cancelled", { error: e instanceof Error ? e.message : String(e) });
    throw e;
  });
  let result: ExecResult | undefined;
  try {
    const again = await lookupExec(s, plan.digest, outputTargets);
    if (usable(again)) return await fromCache(s, exec, plan, step, name, reports, again.record);
    result = await missed(s, exec, plan, step, name, reports, gone(again));
    return result;
  } finally {
    // a non-zero exit is not recorded: the processes waiting have nothing to find, and run the step themselves
    if (result?.exitCode === 0 && isStandIn(result.snapshot))
      releaseAfterRead(s, result.snapshot, unlock);
    else await unlock();
  }
}

/** How long a step whose filesystem was left unmade keeps its lock for a read that follows (see releaseAfterRead). */
const READ_GRACE_MS = 300;

/**
 * The lock of a step whose filesystem was left unmade is held a little longer, and through its making when a read
 * follows (a chained step, file(), directory()): another process waiting for the same step then finds it kept,
 * instead of an output-only record it would have to run again for its own read. close() waits for the release.
 */
function releaseAfterRead(s: Session, snapshot: Snapshot, unlock: ReleaseLock): void {
  let endGrace!: () => void;
  const graceOver = new Promise<void>((resolve) => (endGrace = resolve));
  const timer = setTimeout(endGrace, READ_GRACE_MS).unref();
  const released = (async () => {
    await Promise.race([graceOver, s.lazy.begins(snapshot)]);
    clearTimeout(timer);
    await s.lazy.making(snapshot)?.catch(() => undefined);
    await unlock();
  })();
  // a run that ends within the grace does not wait it out
  s.onClose(() => {
    endGrace();
    return released;
  });
}

// The lock that makes a step several processes need at once run in one of them (store/file-lock.ts).
async function lockStep(s: Session, digest: string, name: string): Promise<ReleaseLock> {
  const { acquireFileLock } = await import("../../store/file-lock.js");
  const file = s.store.lockPath(`exec-${digestHex(digest)}`);
  return acquireFileLock(file, s.signal, `${name} (being run by another Gantry process)`);
}

// A hit: the recorded result, its test reports, and the expect check.
async function fromCache(
  s: Session,
  exec: ExecNode,
  plan: ExecPlan,
  step: StepHandle,
  name: string,
  reports: ReturnType<typeof testReportsPath>,
  record: ExecRecord,
): Promise<ExecResult> {
  step.end("cached", { exitCode: record.exitCode });
  // a record that kept only the output: the exec runs again if, and when, something reads its filesystem
  const snapshot =
    record.snapshot ??
    s.lazy.defer(async () => s.lazy.resolve((await execute(s, exec, plan, true)).snapshot));
  if (reports) await collectTestReports(s, step.id, snapshot, reports);
  return checkExpect(
    exec,
    plan,
    { digest: plan.digest, ...record, snapshot, cached: true, sources: plan.sources },
    name,
  );
}

/** Why an earlier result of the step cannot be used: removed from the engine, or its filesystem never kept. */
type Gone = "pruned" | "not-kept" | undefined;

// A miss: say why, run it (unless a dry run), and record a success. What only a miss needs (explaining it, the
// failure note, a shell at the failure) is loaded here, so a run of cached steps never loads it.
async function missed(
  s: Session,
  exec: ExecNode,
  plan: ExecPlan,
  step: StepHandle,
  name: string,
  reports: ReturnType<typeof testReportsPath>,
  gone: Gone,
): Promise<ExecResult> {
  const { explainMiss, recordStepInputs, stepKeyOf } = await import("../cache/explain-miss.js");
  const { evictedMiss } = await import("../cache/eviction-note.js");
  const keys = stepKeyOf(s, exec, plan);
  const explained = gone
    ? goneMiss(gone)
    : ((await evictedMiss(s, plan.digest)) ?? (await explainMiss(s, keys, plan)));
  if (s.dryRun) {
    step.end("would-run", explained);
    throw new DryRunStop(`dry run: ${name} would run`, { step: name });
  }
  const {
    outcome,
    gone: serviceGone,
    spec,
  } = await runInRuntime(s, exec, plan, step, name, explained);
  const record = new PendingRecord(s, plan.digest, outcome.snapshot);
  const keep = outcome.keep;
  if (outcome.snapshot !== undefined) s.snapshotsMade.push(outcome.snapshot);
  const snapshot =
    keep === undefined
      ? (outcome.snapshot as Snapshot)
      : s.lazy.defer(async () => {
          const kept = await keep();
          s.snapshotsMade.push(kept);
          await record.kept(kept);
          return kept;
        });
  const result: ExecResult = {
    digest: plan.digest,
    snapshot,
    mounts: await saveMountOutputs(s, outcome.mounts ?? []),
    exitCode: outcome.exitCode,
    stdout: s.scrub(outcome.stdout),
    stderr: s.scrub(outcome.stderr),
    cached: false,
    sources: plan.sources,
  };
  const ok = allowed(exec.expect, result.exitCode);
  const why = ok
    ? undefined
    : await (await import("./exec-failure.js")).whyFailed(exec, outcome, serviceGone);
  if (reports) await collectTestReports(s, step.id, result.snapshot, reports);
  step.end(ok ? "done" : "failed", {
    ...explained,
    exitCode: result.exitCode,
    ...(why?.note ? { error: why.note } : {}),
  });
  // gantry call -i: a shell where the command stopped, before the failure travels up and the run ends
  if (!ok && s.terminals?.onFailure)
    await (
      await import("./terminal.js")
    ).shellAtFailure(s, exec, spec, snapshot, name, result.exitCode, result);
  // A non-zero exit is never cached, even when expected: a rerun must run a failing or flaky step again.
  if (result.exitCode === 0) {
    await record.write(result);
    await recordStepInputs(s, keys, plan);
  }
  return checkExpect(exec, plan, result, name, why);
}

/**
 * A step's record while its filesystem may still be kept: written with the output once the exec succeeds (with the
 * snapshot if the runtime made one), and again, after that first write, when something reads the filesystem and the
 * runtime keeps it. A step that never succeeds is never written, kept or not.
 */
class PendingRecord {
  private result?: ExecResult;
  private writes = Promise.resolve();

  constructor(
    private readonly s: Session,
    private readonly digest: string,
    private snapshot: Snapshot | undefined,
  ) {}

  // The output to record (its snapshot field, maybe a stand-in, is replaced by the kept one or left out).
  write(result: ExecResult): Promise<void> {
    this.result = result;
    return this.enqueue();
  }

  // The filesystem is kept now: recorded again if the output already was.
  kept(snapshot: Snapshot): Promise<void> {
    this.snapshot = snapshot;
    return this.result ? this.enqueue() : Promise.resolve();
  }

  private enqueue(): Promise<void> {
    const result = this.result!;
    this.writes = this.writes.then(() =>
      recordExec(this.s, this.digest, { ...result, snapshot: this.snapshot }),
    );
    return this.writes;
  }
}

// The miss of a step whose earlier result exists but cannot serve: its image was pruned, or its filesystem not kept.
function goneMiss(gone: "pruned" | "not-kept"): { miss: string; why: MissReason[] } {
  const why: MissReason[] = [
    { input: gone === "pruned" ? "its cached result" : "its filesystem", change: gone },
  ];
  return { miss: describeReason(why[0] as MissReason), why };
}

// The exec itself: bound services started, a parallelism slot, output streamed (scrubbed) into the step's log.
async function runInRuntime(
  s: Session,
  exec: ExecNode,
  plan: ExecPlan,
  step: StepHandle,
  name: string,
  explained: { miss: string },
) {
  const out = {
    stdout: new LineScrubber(s.scrubber, (t) => step.log("stdout", t)),
    stderr: new LineScrubber(s.scrubber, (t) => step.log("stderr", t)),
  };
  try {
    // Bound services start only now that the exec really runs, and not inside a parallelism slot.
    const { spec, gone } = await startBindings(s, exec, plan);
    // the base is made before a parallelism slot is taken: making it may run an exec, which needs a slot of its own
    const base = await s.lazy.resolve(spec.base);
    const outcome = await s.limiter.use(
      () =>
        s.runtime.exec({
          ...spec,
          base,
          // per-run values (TRACEPARENT) reach the process but never the key or a committed image
          volatileEnv: s.stepEnv(step.id),
          step: name,
          digest: plan.digest,
          signal: s.signal,
          onOutput: (stream, chunk) => out[stream].push(chunk),
        }),
      s.signal,
    );
    return { outcome, gone, spec };
  } catch (e) {
    step.end(s.signal.aborted ? "cancelled" : "failed", {
      ...explained,
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  } finally {
    out.stdout.flush();
    out.stderr.flush();
  }
}

// A mount's output is part of the step's result: its tree is saved so a cached step gives it back.
async function saveMountOutputs(
  s: Session,
  outputs: readonly MountOutput[],
): Promise<Record<string, MountOutputRef> | undefined> {
  if (outputs.length === 0) return undefined;
  const refs: Record<string, MountOutputRef> = {};
  for (const o of outputs) {
    if (o.kind === "file") {
      refs[o.target] = { kind: "file", entry: o.entry };
      continue;
    }
    await s.store.persistTree(o.tree);
    refs[o.target] = { kind: "dir", tree: await s.store.saveTree(o.tree) };
  }
  return refs;
}

/** What the exec's mount `index` holds after it ran (from cache or not). */
export async function mountOutput(
  s: Session,
  exec: ExecNode,
  index: number,
): Promise<{ kind: "dir"; tree: Tree } | { kind: "file"; entry: FileEntry }> {
  const m = exec.state.mounts[index];
  if (!m) throw new InternalError(`exec has no mount ${index}`);
  const [result, target] = await Promise.all([runExec(s, exec), mountTarget(s, exec.state, m)]);
  const ref = result.mounts?.[target];
  if (!ref) throw new InternalError(`the exec recorded no output for its mount at ${target}`);
  return ref.kind === "file" ? ref : { kind: "dir", tree: await s.store.loadTree(ref.tree) };
}

function allowed(expect: ExecNode["expect"], code: number): boolean {
  return expect === "ANY" || (expect === "SUCCESS" ? code === 0 : code !== 0);
}

function checkExpect(
  exec: ExecNode,
  plan: ExecPlan,
  r: ExecResult,
  step: string,
  why?: FailureContext,
): ExecResult {
  if (allowed(exec.expect, r.exitCode)) return r;
  throw new ExecError({
    cmd: plan.spec.args,
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    step,
    ...(why?.oom ? { oom: why.oom } : {}),
    ...(why?.services ? { services: why.services } : {}),
    // runc's words when the engine itself lacks the capabilities it was asked to give (rootless, nested, sandboxed)
    ...(exec.privileged && r.exitCode === 128 && /unable to apply caps/.test(r.stderr)
      ? {
          hint: "the engine could not give the step every root capability (insecureRootCapabilities): dockerd itself runs without them here (rootless Docker, or an engine in a container or sandbox); run it on an engine with full privileges, or drop the option",
        }
      : {}),
  });
}
