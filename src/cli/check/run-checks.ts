// Runs the selected checks concurrently in one run, each as its own step, and keeps every outcome.
import type { Session } from "../../engine/api/index.js";
import { GantryError, isDryRunStop } from "../../errors.js";
import type { Callable } from "../call/callable.js";

export interface CheckResult {
  name: string;
  status: "passed" | "failed" | "not checked" | "cancelled" | "would run";
  seconds: number;
  /** The failure's message, or the "not checked:" lines. */
  detail: string;
  /** `--dry-run`: the stop of a check that would run (status "would run"). */
  stop?: Error;
}

// The message of a failure: a Gantry error's own text, an exec's command and output.
function describe(e: unknown): string {
  if (e instanceof GantryError) return e.message + (e.hint ? `\nHint: ${e.hint}` : "");
  const x = e as { code?: unknown; message?: string; stdout?: string; stderr?: string };
  if (x?.code === "EXEC_ERROR") {
    return [x.message, x.stderr, x.stdout].filter((s) => s && s.trim() !== "").join("\n");
  }
  return e instanceof Error ? e.message : String(e);
}

// SDK objects whose steps a check's result stands for: evaluated, so a returned Container whose exec fails fails the
// check, as `gantry call` of the same function does (a Service is not started: returning one checks nothing).
const EVALUATED = new Set(["Container", "Directory", "File"]);

async function evaluated(value: unknown): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map(evaluated));
  const sync = (value as { sync?: unknown } | null)?.sync;
  const kind = (value as object | null)?.constructor?.name;
  if (typeof sync === "function" && kind !== undefined && EVALUATED.has(kind))
    await (sync as () => Promise<unknown>).call(value);
  return value;
}

/**
 * Run each check with its parameters' defaults (`args`: a check takes no flags); with `failfast`, the first failure
 * cancels the run's other work. A default that cannot be made while the check runs fails that check (a missing
 * defaultPath is refused before the run, by prepareArgs in check-command.ts).
 */
export async function runChecks(
  session: Session,
  target: object,
  checks: readonly Callable[],
  opts: { failfast: boolean; cwd: string; args: (check: Callable) => Promise<unknown[]> },
): Promise<CheckResult[]> {
  let stopped = false;
  return Promise.all(
    checks.map(async (c) => {
      const id = `check:${c.cliName}`;
      const t0 = Date.now();
      const seconds = () => Math.round((Date.now() - t0) / 100) / 10;
      session.events.emit({ type: "step.start", id, name: c.cliName, kind: "function", time: t0 });
      try {
        const value = await evaluated(
          await c.invoke(target, await opts.args(c), { cwd: opts.cwd }),
        );
        const text = typeof value === "string" ? value : "";
        const notChecked = text.split("\n").filter((l) => l.startsWith("not checked:"));
        session.events.emit({ type: "step.end", id, status: "done", time: Date.now() });
        return {
          name: c.cliName,
          status: notChecked.length > 0 ? "not checked" : "passed",
          seconds: seconds(),
          detail: notChecked.join("\n"),
        } satisfies CheckResult;
      } catch (e) {
        if (isDryRunStop(e)) {
          // a dry run reached a step that would run: the check is planned, not failed
          session.events.emit({ type: "step.end", id, status: "would-run", time: Date.now() });
          return {
            name: c.cliName,
            status: "would run",
            seconds: seconds(),
            detail: "",
            stop: e as Error,
          };
        }
        // stopped by --failfast, or by Ctrl-C (the run's signal): the check did not fail, it was cut short
        const interrupted = !stopped && session.signal.aborted;
        const cancelled = stopped || interrupted;
        session.events.emit({
          type: "step.end",
          id,
          status: cancelled ? "cancelled" : "failed",
          time: Date.now(),
        });
        if (opts.failfast && !stopped && !interrupted) {
          stopped = true;
          session.cancel(`check ${c.cliName} failed (--failfast)`);
        }
        return {
          name: c.cliName,
          status: cancelled ? "cancelled" : "failed",
          seconds: seconds(),
          detail: interrupted
            ? `cancelled: ${(session.signal.reason as Error).message}`
            : cancelled
              ? "cancelled: another check failed first (--failfast)"
              : describe(e),
        } satisfies CheckResult;
      }
    }),
  );
}

/** The summary: one row per check, with its result and time, and the "not checked" reasons. */
export function checkTable(results: readonly CheckResult[]): string {
  const rows = [
    ["check", "result", "time"],
    ...results.map((r) => [r.name, r.status, `${r.seconds.toFixed(1)}s`]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const table = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  const notes = results
    .filter((r) => r.status === "not checked")
    .map((r) => `${r.name}: ${r.detail}`);
  return [...table, ...(notes.length > 0 ? ["", ...notes] : [])].join("\n");
}

/**
 * The failed checks' details, one section each — but once for checks that failed the same way (a setup they share:
 * an install that failed fails format, lint and test alike), under all their names.
 */
export function failureSections(bad: readonly CheckResult[]): string {
  const own = (detail: string) => detail.replace(/^task \S+ failed: /, "");
  const groups = new Map<string, { names: string[]; detail: string }>();
  for (const r of bad) {
    const g = groups.get(own(r.detail));
    if (g) g.names.push(r.name);
    else groups.set(own(r.detail), { names: [r.name], detail: r.detail });
  }
  return [...groups.values()]
    .map((g) =>
      g.names.length === 1
        ? `── ${g.names[0]} ──\n${g.detail}`
        : `── ${g.names.join(", ")} (the same failure) ──\n${own(g.detail)}`,
    )
    .join("\n\n");
}
