// Which puts may become a loaded layer (performance.md Decision 20), and how a loaded layer's size is measured.
import { describe, expect, it } from "vitest";
import { loadableTargets } from "../../src/runtime/docker/exec/layer-load.js";
import { sizeParent } from "../../src/runtime/docker/cleanup/labels.js";
import type { FsOp } from "../../src/runtime/runtime.js";
import type { Tree } from "../../src/store/tree.js";

const tree = (...names: string[]): Tree => ({
  entries: Object.fromEntries(
    names.map((n) => [
      n,
      { type: "file", mode: 0o644, digest: `sha256:${"0".repeat(64)}`, size: 1 },
    ]),
  ),
});
const put = (path: string, t: Tree = tree("a.txt"), owner?: string): FsOp => ({
  op: "put",
  path,
  tree: t,
  ...(owner === undefined ? {} : { owner }),
});
type PutOp = Exclude<FsOp, { op: "rm" }>;
const targets = (...ops: FsOp[]) => loadableTargets(ops as PutOp[]);

describe("loadableTargets", () => {
  it("takes trees put as root's at distinct folders right under /", () => {
    expect(targets(put("/src"))).toEqual(["src"]);
    expect(targets(put("/src/"), put("cfg"))).toEqual(["src", "cfg"]);
  });

  it("leaves deeper targets, the root, repeated targets, owners and files to put and commit", () => {
    expect(targets(put("/app/src"))).toBeUndefined(); // its parent's owner and mode would be the layer's
    expect(targets(put("/"))).toBeUndefined();
    expect(targets(put("/src"), put("/src"))).toBeUndefined();
    expect(targets(put("/src", tree("a.txt"), "node"))).toBeUndefined();
    expect(targets(put("/src", tree("a.txt"), "0:0"))).toBeUndefined();
    const file: FsOp = {
      op: "putFile",
      path: "/x",
      entry: { type: "file", mode: 0o644, digest: `sha256:${"0".repeat(64)}`, size: 1 },
    };
    expect(targets(file)).toBeUndefined();
    expect(targets()).toBeUndefined();
  });

  it("leaves a target named as a layer marks a deletion to put and commit", () => {
    expect(targets(put("/.wh.etc"))).toBeUndefined(); // as a layer's entry it would hide /etc
    expect(targets(put("/src", tree("a/.wh.b", ".wh..wh..opq")))).toEqual(["src"]); // nothing below a new folder
  });
});

describe("sizeParent", () => {
  const over = (value: string) => ({ "gantry.size-over": value });
  it("measures a loaded layer (no parent) over the base its label names", () => {
    expect(sizeParent("", over(" sha256:base"))).toBe("sha256:base");
    expect(sizeParent(undefined, over(" sha256:base"))).toBe("sha256:base");
  });

  it("measures a child of a loaded layer over its own parent (labels are inherited)", () => {
    expect(sizeParent("sha256:loaded", over(" sha256:base"))).toBe("sha256:loaded");
  });

  it("keeps the BuildKit snapshot's rule and the plain parent", () => {
    expect(sizeParent("sha256:export", over("sha256:export sha256:base"))).toBe("sha256:base");
    expect(sizeParent("sha256:other", over("sha256:export sha256:base"))).toBe("sha256:other");
    expect(sizeParent("sha256:p", undefined)).toBe("sha256:p");
    expect(sizeParent("", undefined)).toBe("");
  });
});
