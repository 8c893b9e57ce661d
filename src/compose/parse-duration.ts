// Compose durations are Go duration strings (`1m30s`, `10s`, `500ms`, `1h`, `1.5s`); Gantry keeps
// milliseconds.
import type { Check } from "./checkers.js";

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds in a Go duration string, or undefined when it is not one. */
export function parseDuration(s: string): number | undefined {
  const text = s.trim();
  if (text === "0") return 0;
  if (text === "") return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? Number.NaN);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

// A duration-valued compose key (healthcheck interval, timeout, start_period).
export const durationMs: Check<number> = (v, at) => {
  const ms = typeof v === "string" ? parseDuration(v) : undefined;
  return ms ?? at.expected("a duration like 30s, 1m30s or 500ms", v);
};
