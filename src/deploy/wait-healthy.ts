// The health gate: every URL must answer well within the timeout, retried until then; on failure, the last way each
// failing URL failed. DNS errors are retried like refusals (a new domain may not have propagated yet).
import { DeployError } from "../errors.js";
import { describeOutcome, probe, type ProbeOutcome } from "./health-check.js";

export interface HealthTarget {
  /** What the person wrote (`/healthz`), for messages. */
  label: string;
  url: string;
}

export interface WaitHealthyOptions {
  timeoutMs: number;
  retries?: number;
  bodyMatch?: string;
  intervalMs?: number;
  signal: AbortSignal;
  /** Asked between attempts: a reason to stop at once (the release exited), or undefined to go on. */
  stopReason?: () => Promise<string | undefined>;
  onAttempt?: (target: HealthTarget, outcome: ProbeOutcome, attempt: number) => void;
}

export interface HealthFailure {
  target: HealthTarget;
  outcome: ProbeOutcome;
  attempts: number;
}

/** Probe every target until it passes; resolve when all did, or return what failed (never throws on a failure). */
export async function waitHealthy(
  targets: HealthTarget[],
  o: WaitHealthyOptions,
): Promise<{ ok: true } | { ok: false; failures: HealthFailure[]; stopped?: string }> {
  const deadline = Date.now() + o.timeoutMs;
  const interval = o.intervalMs ?? 250;
  let stopped: string | undefined;
  const results = await Promise.all(
    targets.map(async (target): Promise<HealthFailure | undefined> => {
      let attempts = 0;
      for (;;) {
        attempts++;
        const left = deadline - Date.now();
        const outcome = await probe(target.url, {
          timeoutMs: Math.max(250, Math.min(5_000, left)),
          bodyMatch: o.bodyMatch,
          signal: o.signal,
        });
        o.onAttempt?.(target, outcome, attempts);
        if (outcome.ok) return undefined;
        const out = (): HealthFailure => ({ target, outcome, attempts });
        if (o.signal.aborted || stopped) return out();
        if (o.retries !== undefined && attempts >= o.retries) return out();
        if (Date.now() + interval >= deadline) return out();
        stopped ??= await o.stopReason?.();
        if (stopped) return out();
        await new Promise((r) => setTimeout(r, interval));
      }
    }),
  );
  const failures = results.filter((r): r is HealthFailure => r !== undefined);
  return failures.length === 0 ? { ok: true } : { ok: false, failures, stopped };
}

/** The health failure as the deploy's error: each URL and how it failed, then the new release's own last lines. */
export function healthError(
  what: string,
  r: { failures: HealthFailure[]; stopped?: string },
  bodyMatch: string | undefined,
  logs: string,
  after: string,
): DeployError {
  const lines = r.failures.map(
    (f) =>
      `  ${f.target.label}${f.target.label === f.target.url ? "" : ` (${f.target.url})`}: ${describeOutcome(f.outcome, bodyMatch)} [${f.attempts} attempt${f.attempts === 1 ? "" : "s"}]`,
  );
  const tail =
    logs.trim() === ""
      ? "  (no output)"
      : logs
          .trimEnd()
          .split("\n")
          .map((l) => `  ${l}`)
          .join("\n");
  return new DeployError(
    `${what} failed its health check${r.stopped ? ` (${r.stopped})` : ""}; ${after}\n${lines.join("\n")}\n  ── last lines of the new release ──\n${tail}`,
    {
      hint: "fix the release (or its health path), then deploy again; `gantry call releases` shows the history",
    },
  );
}
