// Argument checks for SDK calls: a bad argument throws a TypeError naming the call, the parameter, what came.

export function assertString(call: string, param: string, v: unknown): asserts v is string {
  if (typeof v !== "string") throw new TypeError(`${call}: ${param} must be a string, got ${describe(v)}`);
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
