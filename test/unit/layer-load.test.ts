// Which puts may become a loaded layer (performance.md Decision 20), and how a loaded layer's size is measured.
import type Dockerode from "dockerode";
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import {
  engineLoadsLayers,
  imageArchive,
  loadableTargets,
} from "../../src/runtime/docker/exec/layer-load.js";
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
const targets = (...ops: FsOp[]) => {
  const loadable = loadableTargets(ops as PutOp[]);
  if (loadable) expect(loadable.puts).toEqual(ops); // each target with its put, in order
  return loadable?.dirs;
};

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

describe("engineLoadsLayers", () => {
  const engine = (info: unknown) => ({ info: async () => info }) as unknown as Dockerode;
  it("loads on Docker's own image store, not on containerd's or Podman's", async () => {
    const status = [["Backing Filesystem", "extfs"]];
    expect(await engineLoadsLayers(engine({ Driver: "overlay2", DriverStatus: status }))).toBe(
      true,
    );
    const containerd = [["driver-type", "io.containerd.snapshotter.v1"]];
    expect(await engineLoadsLayers(engine({ Driver: "overlayfs", DriverStatus: containerd }))).toBe(
      false,
    );
    expect(await engineLoadsLayers(engine({ Driver: "overlay2", DriverStatus: containerd }))).toBe(
      false,
    );
    expect(await engineLoadsLayers(engine({ Driver: "overlay" }))).toBe(false); // Podman's name
  });
});

describe("imageArchive", () => {
  // The archive reads the spooled layer; a load that ends early (cancelled, refused) must close that file with it.
  const openFiles = (file: string) =>
    readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
      } catch {
        return false;
      }
    }).length;

  it("closes the spooled layer when the archive is destroyed before it is read", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-layer-test-"));
    const spool = path.join(dir, "layer.tar");
    writeFileSync(spool, Buffer.alloc(4 << 20, 1));
    try {
      const archive = imageArchive(spool, 4 << 20, Buffer.from("{}"), 1);
      archive.once("data", () => archive.destroy());
      await new Promise((resolve) => archive.once("close", resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(openFiles(spool)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("holds the manifest, the config and the layer", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-layer-test-"));
    const spool = path.join(dir, "layer.tar");
    writeFileSync(spool, "layer bytes");
    try {
      const names: string[] = [];
      const extract = tar.extract();
      imageArchive(spool, 11, Buffer.from('{"a":1}'), 2).pipe(extract);
      let manifest = "";
      for await (const entry of extract) {
        names.push(entry.header.name);
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        if (entry.header.name === "manifest.json") manifest = Buffer.concat(chunks).toString();
      }
      expect(names).toHaveLength(3);
      expect(names).toContain("layer.tar");
      expect(JSON.parse(manifest)).toEqual([
        {
          Config: names.find((n) => n.endsWith(".json") && n !== "manifest.json"),
          RepoTags: null,
          Layers: ["base-0/layer.tar", "base-1/layer.tar", "layer.tar"],
        },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(openFiles(spool)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
