// Which Dagger semantics a module gets from its dagger.json engineVersion.
import { describe, expect, it } from "vitest";
import { daggerCompat, versionAtLeast } from "../../src/module/dagger-compat.js";

describe("daggerCompat", () => {
  it("compares versions numerically, not as text", () => {
    expect(versionAtLeast("v0.17.0", "v0.17.0")).toBe(true);
    expect(versionAtLeast("v0.9.11", "v0.17.0")).toBe(false);
    expect(versionAtLeast("v0.18.3", "v0.17.0")).toBe(true);
    expect(versionAtLeast("v1.0.0-beta.1", "v0.17.0")).toBe(true);
  });

  it("follows engineVersion for dagger.json, the newest semantics without one, Gantry's own otherwise", () => {
    expect(daggerCompat({ kind: "dagger", engineVersion: "v0.11.9" })).toEqual({
      entriesMarkDirs: false,
      execUsesEntrypoint: true,
    });
    expect(daggerCompat({ kind: "dagger", engineVersion: "v0.16.0" })).toEqual({
      entriesMarkDirs: false,
      execUsesEntrypoint: false,
    });
    expect(daggerCompat({ kind: "dagger" })).toEqual({
      entriesMarkDirs: true,
      execUsesEntrypoint: false,
    });
    expect(daggerCompat({ kind: "gantry", engineVersion: "v0.11.0" })).toEqual({
      entriesMarkDirs: false,
      execUsesEntrypoint: false,
    });
  });
});
