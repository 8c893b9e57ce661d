// What a person reads when bubblewrap cannot make a step's sandbox: bwrap's own words, and a next step that fits them.
import { describe, expect, it } from "vitest";
import { sandboxFailure } from "../../src/runtime/host/exec-launch.js";

describe("sandboxFailure", () => {
  it("blames a missing mount source, not the kernel, when bwrap cannot find a path", () => {
    const e = sandboxFailure(
      "bwrap: Can't find source path state/host-runs/r/exec-1/merged: No such file or directory\n",
      "withExec make",
    );
    expect(e.message).toContain("bwrap: Can't find source path state/host-runs/r/exec-1/merged");
    expect(e.message).toContain("a path the sandbox mounts is missing");
    expect(e.message).not.toContain("user namespaces");
  });

  it("points at user namespaces when the kernel refuses", () => {
    const e = sandboxFailure("bwrap: No permissions to create new namespace\n", "withExec make");
    expect(e.message).toBe(
      "bubblewrap could not set up the sandbox for step withExec make: bwrap: No permissions to create new namespace: " +
        "check that this kernel allows user namespaces, or run with --runtime=docker",
    );
  });
});
