// What a mount holds after an exec: other mounts nested inside it are not its content.
import { describe, expect, it } from "vitest";
import { nestedTargets, settleMountOutput } from "../../src/runtime/mount-output.js";
import type { MountSpec } from "../../src/runtime/runtime.js";
import type { Tree } from "../../src/store/tree.js";

const file = (d: string) => ({
  type: "file" as const,
  mode: 0o644,
  digest: `sha256:${d}`,
  size: 1,
});
const dir = { type: "dir" as const, mode: 0o755 };
const spec = (target: string): MountSpec => ({ kind: "tmp", target });

describe("nestedTargets", () => {
  it("lists mounts below the target relative to it, shallowest first, and nothing beside it", () => {
    const specs = [spec("/src"), spec("/src/a/b"), spec("/src/a"), spec("/srcx"), spec("/other")];
    expect(nestedTargets("/src", specs)).toEqual(["a", "a/b"]);
    expect(nestedTargets("/", [spec("/"), spec("/x")])).toEqual(["x"]);
  });
});

describe("settleMountOutput", () => {
  it("keeps what the mount held at a nested mount point and drops the engine's stub", () => {
    const before: Tree = { entries: { "a.txt": file("a"), deps: dir, "deps/old": file("o") } };
    const read: Tree = {
      entries: { "a.txt": file("a"), "out.txt": file("n"), deps: dir, "deps/x": file("x") },
    };
    expect(settleMountOutput(read, before, ["deps"]).entries).toEqual({
      "a.txt": file("a"),
      "out.txt": file("n"),
      deps: dir,
      "deps/old": file("o"),
    });
  });

  it("removes a stub the mount never held, with the empty parents made for it", () => {
    const before: Tree = { entries: { "a.txt": file("a") } };
    const read: Tree = { entries: { "a.txt": file("a"), n: dir, "n/m": dir, "n/m/c": dir } };
    expect(settleMountOutput(read, before, ["n/m/c"]).entries).toEqual({ "a.txt": file("a") });
    const withSibling: Tree = { entries: { ...read.entries, "n/keep": file("k") } };
    expect(settleMountOutput(withSibling, before, ["n/m/c"]).entries).toEqual({
      "a.txt": file("a"),
      n: dir,
      "n/keep": file("k"),
    });
  });
});
