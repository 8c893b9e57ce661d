import { describe, expect, it } from "vitest";
import { At } from "../../src/compose/at.js";
import { Interpolator, interpolateTree } from "../../src/compose/interpolate.js";

const ENV: Record<string, string> = { SET: "value", EMPTY: "", B: "bee", lower_case: "lc" };

// Interpolates `s` with ENV; returns the result and the warnings given.
function run(s: string, env: Record<string, string> = ENV) {
  const warnings: string[] = [];
  const out = new Interpolator((k) => env[k]).interpolate(s, new At("c.yml", warnings, ["x"]));
  return { out, warnings };
}
const sub = (s: string) => run(s).out;

describe("Interpolator", () => {
  it("substitutes $VAR and ${VAR}", () => {
    expect(sub("$SET")).toBe("value");
    expect(sub("${SET}")).toBe("value");
    expect(sub("a-$SET-b")).toBe("a-value-b");
    expect(sub("$SET.txt")).toBe("value.txt");
    expect(sub("${SET}x")).toBe("valuex");
    expect(sub("$lower_case")).toBe("lc");
    expect(sub("no dollars")).toBe("no dollars");
  });

  it("$$ is a literal $ and is never expanded", () => {
    expect(sub("$$SET")).toBe("$SET");
    expect(sub("$${SET}")).toBe("${SET}");
    expect(sub("cost: $$5")).toBe("cost: $5");
    expect(sub("$$$SET")).toBe("$value");
  });

  it("an unset variable becomes empty, with one warning per variable", () => {
    const { out, warnings } = run("$NOPE ${NOPE}");
    expect(out).toBe(" ");
    expect(warnings).toEqual(["c.yml: x: variable NOPE is not set, substituting an empty string"]);
    expect(run("${EMPTY}").warnings).toEqual([]);
  });

  it(":- and - defaults differ on empty values", () => {
    expect(sub("${NOPE:-d}")).toBe("d");
    expect(sub("${EMPTY:-d}")).toBe("d");
    expect(sub("${SET:-d}")).toBe("value");
    expect(sub("${NOPE-d}")).toBe("d");
    expect(sub("${EMPTY-d}")).toBe("");
    expect(sub("${SET-d}")).toBe("value");
    expect(sub("${NOPE:-}")).toBe("");
    expect(sub("${NOPE:-a b:c}")).toBe("a b:c");
    expect(run("${NOPE:-d}").warnings).toEqual([]);
  });

  it(":+ and + give the alternative when set", () => {
    expect(sub("${SET:+alt}")).toBe("alt");
    expect(sub("${EMPTY:+alt}")).toBe("");
    expect(sub("${EMPTY+alt}")).toBe("alt");
    expect(sub("${NOPE+alt}")).toBe("");
    expect(sub("${NOPE:+alt}")).toBe("");
    expect(sub("--flag${SET:+=$SET}")).toBe("--flag=value");
  });

  it(":? and ? fail with the message, naming file and path", () => {
    expect(sub("${SET:?boom}")).toBe("value");
    expect(sub("${EMPTY?boom}")).toBe("");
    expect(() => sub("${NOPE:?set NOPE please}")).toThrow(
      "c.yml: x: required variable NOPE is not set: set NOPE please",
    );
    expect(() => sub("${EMPTY:?}")).toThrow("c.yml: x: required variable EMPTY is empty");
    expect(() => sub("${NOPE?}")).toThrow("c.yml: x: required variable NOPE is not set");
    expect(() => sub("${NOPE:?need $B}")).toThrow("required variable NOPE is not set: need bee");
  });

  it("nests: defaults may hold expressions, evaluated only when used", () => {
    expect(sub("${NOPE:-${B}}")).toBe("bee");
    expect(sub("${NOPE:-${ALSO_NOPE:-deep}}")).toBe("deep");
    expect(sub("${NOPE:-x${B}y}-z")).toBe("xbeey-z");
    expect(sub("${SET:-${NEVER:?not evaluated}}")).toBe("value");
    expect(sub("${NOPE:-$$B}")).toBe("$B");
    expect(sub("${NOPE:-a}b}")).toBe("ab}"); // the first unnested } closes
  });

  it("rejects malformed expressions", () => {
    for (const s of [
      "$",
      "a $ b",
      "$1",
      "${",
      "${A",
      "${}",
      "${1A}",
      "${A B}",
      "${A:x}",
      "${A!}",
    ]) {
      expect(() => sub(s), s).toThrow(
        `c.yml: x: invalid interpolation format in ${JSON.stringify(s)}: use $$ for a literal $`,
      );
    }
  });
});

describe("interpolateTree", () => {
  const tree = (doc: unknown, env: Record<string, string> = ENV) =>
    interpolateTree(doc, new At("c.yml", []), new Interpolator((k) => env[k]));

  it("interpolates string values at any depth, never keys or non-strings", () => {
    const doc = {
      services: { $SET: { image: "x:$SET", ports: ["${SET}", 80], flag: true, none: null } },
    };
    expect(tree(doc)).toEqual({
      services: { $SET: { image: "x:value", ports: ["value", 80], flag: true, none: null } },
    });
  });

  it("does not mutate its input (YAML aliases share objects)", () => {
    const shared = { A: "$SET" };
    const doc = { services: { a: { environment: shared }, b: { environment: shared } } };
    tree(doc);
    expect(shared.A).toBe("$SET");
  });

  it("leaves top-level x- extensions alone and reports paths with list indexes and env keys", () => {
    expect(tree({ "x-tmpl": { a: "${NOPE:?unused}" } })).toEqual({
      "x-tmpl": { a: "${NOPE:?unused}" },
    });
    expect(() => tree({ services: { s: { ports: ["80", "${P:?}"] } } })).toThrow(
      "c.yml: services.s.ports[1]: required variable P is not set",
    );
    expect(() => tree({ services: { s: { environment: ["A=1", "K=${P:?}"] } } })).toThrow(
      "c.yml: services.s.environment.K: required variable P is not set",
    );
    expect(() => tree({ services: { s: { build: { args: ["K=${P:?}"] } } } })).toThrow(
      "c.yml: services.s.build.args.K: required variable P is not set",
    );
  });
});
