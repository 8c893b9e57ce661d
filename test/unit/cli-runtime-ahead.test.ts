import { describe, expect, it } from "vitest";
import { runtimeAhead } from "../../src/cli/call/command-helpers.js";
import { defaultGlobals } from "../../src/cli/global-flags.js";
import { readEnv } from "../../src/env.js";

describe("runtimeAhead: the runtime a command line asks for, read before its module", () => {
  const globals = (runtime?: string) =>
    defaultGlobals(readEnv({ PATH: "/bin", ...(runtime ? { GANTRY_RUNTIME: runtime } : {}) }));

  it.each([
    [["ci", "--runtime=host", "--source=."], "host"],
    [["--runtime", "host", "ci"], "host"],
    [["ci", "--runtime=docker"], "docker"],
    [["ci", "--source", "."], "auto"],
    // not a runtime's name: the command's own parsing says what is wrong with it, not this
    [["ci", "--runtime=podman"], "auto"],
    [["ci", "--runtime"], "auto"],
    // the last one wins, as when the flags are parsed
    [["ci", "--runtime=docker", "--runtime=host"], "host"],
    [["--runtime", "host", "ci", "--runtime", "docker"], "docker"],
  ] as const)("%j → %s", (tokens, expected) => {
    expect(runtimeAhead(tokens, globals())).toBe(expected);
  });

  it("falls back to GANTRY_RUNTIME, which a flag overrides", () => {
    expect(runtimeAhead(["ci"], globals("host"))).toBe("host");
    expect(runtimeAhead(["ci", "--runtime=docker"], globals("host"))).toBe("docker");
  });
});
