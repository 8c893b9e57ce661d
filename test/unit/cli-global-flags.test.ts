// Global on/off flags take `=value` as a function's boolean flags do: `--dry-run=false` is off, `=maybe` refused.
import { describe, expect, it } from "vitest";
import { parseArgv } from "../../src/cli/global-flags.js";
import { readEnv } from "../../src/env.js";
import { UsageError } from "../../src/errors.js";

const env = readEnv({ PATH: "/bin" });
const parse = (...argv: string[]) => parseArgv(argv, env).globals;

describe("global on/off flags", () => {
  it("are on when given bare, and follow =true/=false (1/0, yes/no)", () => {
    expect(parse("--dry-run", "call").dryRun).toBe(true);
    expect(parse("--dry-run=false", "call").dryRun).toBe(false);
    expect(parse("--dry-run=0", "call").dryRun).toBe(false);
    expect(parse("--dry-run=yes", "call").dryRun).toBe(true);
    expect(parse("--explain=false", "call").explain).toBe(false);
    expect(parse("--debug=0", "call").debug).toBe(false);
    expect(parse("--verbose=true", "call").verbose).toBe(true);
    expect(parse("-v=no", "call").verbose).toBe(false);
    expect(parse("--no-color=false", "call").noColor).toBe(false);
    expect(parse("--interactive=1", "call").interactive).toBe(true);
    // the last one wins
    expect(parse("--dry-run", "--dry-run=false", "call").dryRun).toBe(false);
  });

  it("refuse any other value, naming the flag and what to write", () => {
    expect(() => parse("--dry-run=maybe", "call")).toThrow(UsageError);
    expect(() => parse("--dry-run=maybe", "call")).toThrow(
      "--dry-run is a boolean flag: write --dry-run or --dry-run=false, not --dry-run=maybe",
    );
    expect(() => parse("-i=sometimes", "call")).toThrow(
      "-i is a boolean flag: write -i or -i=false, not -i=sometimes",
    );
  });
});
