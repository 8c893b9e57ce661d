import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { parseFlags, type FlagTarget, type RawValue } from "../../src/module/parse-flags.js";
import type { ParamSignature } from "../../src/module/signature.js";

const params: ParamSignature[] = [
  { name: "source", type: { kind: "core", name: "Directory" }, optional: false },
  { name: "fast", type: { kind: "boolean" }, optional: true },
  { name: "tags", type: { kind: "list", of: { kind: "string" } }, optional: true },
  { name: "retryCount", type: { kind: "number" }, optional: true },
];

// Parse tokens for one target; returns the values and where parsing stopped.
function parse(tokens: string[], extra: Partial<Parameters<typeof parseFlags>[3]> = {}) {
  const values = new Map<string, RawValue>();
  const target: FlagTarget = { owner: "function test", params, values };
  const r = parseFlags(tokens, 0, [target], extra);
  return { values: Object.fromEntries(values), ...r };
}

describe("parseFlags", () => {
  it("reads --flag=value and --flag value", () => {
    expect(parse(["--source=.", "--retry-count", "3"]).values).toEqual({
      source: ".",
      retryCount: "3",
    });
  });

  it("reads booleans without a value, and =true/=false", () => {
    expect(parse(["--fast"]).values).toEqual({ fast: true });
    expect(parse(["--fast=false"]).values).toEqual({ fast: false });
    expect(() => parse(["--fast=maybe"])).toThrow(/--fast is a boolean flag/);
  });

  it("does not let a boolean swallow the next word", () => {
    const r = parse(["--fast", "stdout"]);
    expect(r.values).toEqual({ fast: true });
    expect(r.next).toBe(1);
  });

  it("collects lists from commas and repeats", () => {
    expect(parse(["--tags=a,b", "--tags", "c"]).values).toEqual({ tags: ["a", "b", "c"] });
  });

  it("takes a negative number as a value and stops at a word", () => {
    const r = parse(["--retry-count", "-1", "export", "--path=x"]);
    expect(r.values).toEqual({ retryCount: "-1" });
    expect(r.next).toBe(2);
  });

  it("accepts the camelCase spelling too", () => {
    expect(parse(["--retryCount=2"]).values).toEqual({ retryCount: "2" });
  });

  it("names the unknown flag, lists the known ones and suggests the closest", () => {
    expect(() => parse(["--sorce=."])).toThrow(UsageError);
    expect(() => parse(["--sorce=."])).toThrow(
      "unknown flag --sorce for function test: its flags are --source, --fast, --tags, --retry-count. Did you mean --source?",
    );
  });

  it("refuses a missing value and a repeated scalar", () => {
    expect(() => parse(["--source"])).toThrow("--source needs a value: write --source=VALUE");
    expect(() => parse(["--source=a", "--source=b"])).toThrow(/given twice/);
  });

  it("hands unknown and short flags to the hook (global flags)", () => {
    const seen: string[] = [];
    const r = parse(["-m", "ci", "--progress=plain", "--fast"], {
      onUnknown: (name, inline, _tokens, i) => {
        seen.push(`${name}=${inline ?? "(next)"}`);
        return inline === undefined ? i + 2 : i + 1;
      },
    });
    expect(seen).toEqual(["-m=(next)", "progress=plain"]);
    expect(r.values).toEqual({ fast: true });
  });

  it("notes --help and, when lenient, skips unknown flags", () => {
    const r = parse(["--nope", "--help"], { lenient: true });
    expect(r.help).toBe(true);
  });
});
