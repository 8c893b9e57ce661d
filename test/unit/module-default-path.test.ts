import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveDefaultPath } from "../../src/module/default-path.js";

describe("resolveDefaultPath (Dagger's rules)", () => {
  const mod = { rootDir: "/repo/ci" };

  it("starts absolute paths at the git repository root", () => {
    expect(resolveDefaultPath(mod, "/", "/repo")).toBe("/repo");
    expect(resolveDefaultPath(mod, "/src", "/repo")).toBe(path.join("/repo", "src"));
  });

  it("starts relative paths at the folder holding the config", () => {
    expect(resolveDefaultPath(mod, ".", "/repo")).toBe("/repo/ci");
    expect(resolveDefaultPath(mod, "./x", "/repo")).toBe("/repo/ci/x");
    expect(resolveDefaultPath(mod, "..", "/repo")).toBe("/repo");
  });

  it("uses the module's folder as the context outside git", () => {
    expect(resolveDefaultPath(mod, "/", undefined)).toBe("/repo/ci");
    expect(resolveDefaultPath(mod, "/app", undefined)).toBe("/repo/ci/app");
  });

  it("refuses paths outside the context", () => {
    expect(() => resolveDefaultPath(mod, "../..", "/repo")).toThrow(
      /outside the module's context \/repo/,
    );
    expect(() => resolveDefaultPath(mod, "..", undefined)).toThrow(/outside/);
  });
});
