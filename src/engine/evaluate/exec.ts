// Running one exec: from cache when its digest was seen, else through the runtime under the parallelism limit.
import type { ExecNode } from "../nodes.js";
import type { Session } from "../session.js";
import type { Snapshot } from "../../runtime/runtime.js";
import { ExecError } from "../../errors.js";
import { LineScrubber } from "../scrubber.js";
import { planExec, withStartedBindings, type ExecPlan } from "./exec-plan.js";
import { explainMiss, recordStepInputs, stepKeyOf } from "../cache/explain-miss.js";
import { lookupExec, recordExec } from "../cache/exec-records.js";
import { startStep } from "./steps.js";

export interface ExecResult {
  digest: string;
  snapshot: Snapshot;
  exitCode: number;
  stdout: string;
  stderr: string;
  cached: boolean;
}

/** Evaluate an exec node once per run (and once per digest across identical nodes). */
export function runExec(s: Session, exec: ExecNode): Promise<ExecResult> {
  let p = s.memo.get(exec) as Promise<ExecResult> | undefined;
  if (!p) {
    p = (async () => {
      const plan = await planExec(s, exec);
      for (const v of plan.secretValues) s.scrubber.add(v);
      return (await s.flights.run(`exec:${plan.digest}`, () =>
        execute(s, exec, plan),
      )) as ExecResult;
    })();
    s.memo.set(exec, p);
  }
  return p;
}

/** A readable step name: `withExec npm test`. */
export function execStepName(args: readonly string[]): string {
  const cmd = args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(" ");
  return `withExec ${cmd.length > 100 ? cmd.slice(0, 97) + "…" : cmd}`;
}

async function execute(s: Session, exec: ExecNode, plan: ExecPlan): Promise<ExecResult> {
  s.throwIfCancelled();
  const name = s.scrub(execStepName(plan.spec.args));
  const step = startStep(s, { name, kind: "exec", digest: plan.digest });
  const cached = await lookupExec(s, plan.digest);
  if (cached.hit) {
    step.end("cached", { exitCode: cached.record.exitCode });
    return checkExpect(exec, plan, { digest: plan.digest, ...cached.record, cached: true }, name);
  }
  const stepKey = stepKeyOf(s, exec, plan);
  const miss = cached.pruned
    ? "its cached result was removed from the engine (pruned)"
    : await explainMiss(s, stepKey, plan);
  const out = {
    stdout: new LineScrubber(s.scrubber, (t) => step.log("stdout", t)),
    stderr: new LineScrubber(s.scrubber, (t) => step.log("stderr", t)),
  };
  let outcome;
  try {
    // Bound services start only now that the exec really runs, and not inside a parallelism slot.
    const spec = await withStartedBindings(s, exec, plan);
    outcome = await s.limiter.use(
      () =>
        s.runtime.exec({
          ...spec,
          step: name,
          digest: plan.digest,
          signal: s.signal,
          onOutput: (stream, chunk) => out[stream].push(chunk),
        }),
      s.signal,
    );
  } catch (e) {
    step.end(s.signal.aborted ? "cancelled" : "failed", {
      miss,
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  } finally {
    out.stdout.flush();
    out.stderr.flush();
  }
  const result: ExecResult = {
    digest: plan.digest,
    snapshot: outcome.snapshot,
    exitCode: outcome.exitCode,
    stdout: s.scrub(outcome.stdout),
    stderr: s.scrub(outcome.stderr),
    cached: false,
  };
  const ok = allowed(exec.expect, result.exitCode);
  step.end(ok ? "done" : "failed", { miss, exitCode: result.exitCode });
  // A non-zero exit is never cached, even when expected: a rerun must run a failing or flaky step again.
  if (result.exitCode === 0) {
    await recordExec(s, plan.digest, result);
    await recordStepInputs(s, stepKey, plan);
  }
  return checkExpect(exec, plan, result, name);
}

function allowed(expect: ExecNode["expect"], code: number): boolean {
  return expect === "ANY" || (expect === "SUCCESS" ? code === 0 : code !== 0);
}

function checkExpect(exec: ExecNode, plan: ExecPlan, r: ExecResult, step: string): ExecResult {
  if (allowed(exec.expect, r.exitCode)) return r;
  throw new ExecError({
    cmd: plan.spec.args,
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    step,
  });
}
