import { describe, expect, it } from "vitest";
import { planCore } from "../../src/cli/core/plan-core.js";
import { ROOT_CALLABLES } from "../../src/cli/core/root-callables.js";

const noGlobals = () => undefined;

describe("planCore", () => {
  it("starts a chain at the root: container, from, with-exec, stdout", () => {
    const p = planCore(
      [
        "container",
        "from",
        "--address=busybox",
        "with-exec",
        "--args=echo,hi",
        "--expect=ANY",
        "stdout",
      ],
      noGlobals,
    );
    expect(p.steps.map((s) => s.callable.cliName)).toEqual([
      "container",
      "from",
      "with-exec",
      "stdout",
    ]);
    expect(Object.fromEntries(p.steps[1]?.values ?? [])).toEqual({ address: "busybox" });
    expect(p.lastType).toEqual({ kind: "string" });
    expect(p.deferredAt).toBeUndefined();
  });

  it("plans the other root words and their flags", () => {
    expect(
      planCore(["directory", "with-new-directory", "--path=a", "entries"], noGlobals).lastType,
    ).toEqual({
      kind: "list",
      of: { kind: "string" },
    });
    const h = planCore(["http", "--url=https://example.com/x.sh", "contents"], noGlobals);
    expect(Object.fromEntries(h.steps[0]?.values ?? [])).toEqual({
      url: "https://example.com/x.sh",
    });
    expect(planCore(["cache-volume", "--key=npm"], noGlobals).lastType).toEqual({
      kind: "core",
      name: "CacheVolume",
    });
    expect(planCore(["secret", "--source=env:TOKEN", "name"], noGlobals).steps).toHaveLength(2);
  });

  it("has no word that takes a secret's value on the command line", () => {
    const names = ROOT_CALLABLES.map((c) => c.cliName);
    expect(names).not.toContain("set-secret");
    expect(() => planCore(["set-secret", "--name=a", "--plaintext=b"], noGlobals)).toThrow(
      'unknown function "set-secret": gantry core has container, directory, http, cache-volume, secret.',
    );
  });

  it("asks for a word, answers --help, and names gantry core's flags for an unknown one", () => {
    expect(() => planCore([], noGlobals)).toThrow("name what to start from: gantry core WORD");
    expect(planCore(["--help"], noGlobals).help).toBe(true);
    expect(planCore(["container", "from", "--help"], noGlobals).help).toBe(true);
    expect(() => planCore(["--bogus", "container"], noGlobals)).toThrow(
      /^unknown flag --bogus: it is not a flag of gantry core, whose flags are -o\/--output, --json, /,
    );
  });
});
