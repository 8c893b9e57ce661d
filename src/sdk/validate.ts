// Argument checks for SDK calls: a bad argument throws a TypeError naming the call, the parameter, what came.

export function assertString(call: string, param: string, v: unknown): asserts v is string {
  if (typeof v !== "string")
    throw new TypeError(`${call}: ${param} must be a string, got ${describe(v)}`);
}

export function assertStringArray(call: string, param: string, v: unknown): asserts v is string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new TypeError(`${call}: ${param} must be an array of strings, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `array ${JSON.stringify(v).slice(0, 60)}`;
  if (v === null) return "null";
  return typeof v === "string" ? JSON.stringify(v) : typeof v;
}

/** Go-style durations ("1m30s", "500ms", "10s") to milliseconds, as Dagger and compose write them. */
export function parseDuration(param: string, v: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(v))) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3_600_000 : m[2] === "m" ? n * 60_000 : m[2] === "s" ? n * 1000 : n;
    consumed = re.lastIndex;
  }
  if (consumed !== v.length || v.length === 0)
    throw new TypeError(
      `${param} must be a duration like "30s", "1m30s" or "500ms", got ${JSON.stringify(v)}`,
    );
  return total;
}
