// A big source put before parallel execs is uploaded once: every exec's snapshot builds on the same baked layer.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  defaultExecSpec,
  useDockerRuntimeFixture,
  snapshotOf,
} from "../helpers/docker-runtime-fixture.js";
import { SHARE_FROM_ENTRIES } from "../../src/runtime/docker/exec/shared-layers.js";
import type { ExecOutcome, ExecSpec, FsOp, ResolvedImage } from "../../src/runtime/runtime.js";
import type { Tree, TreeEntry } from "../../src/store/tree.js";

const run = promisify(execFile);
const never = new AbortController().signal;
const fx = useDockerRuntimeFixture("layers");
// The container API's layering (execs through BuildKit get their layers from BuildKit's snapshotter instead)
const containers = () => fx.newRuntime({ buildkitExec: false });
let busybox: ResolvedImage;

beforeAll(async () => {
  busybox = await fx.newRuntime().resolveImage("gantry-test/busybox:latest", never);
});

// A tree of n small files under src/, each with distinct content.
async function sourceTree(n: number, salt: string): Promise<Tree> {
  const entries: Record<string, TreeEntry> = { src: { type: "dir", mode: 0o755 } };
  for (let i = 0; i < n; i++) {
    const content = `file ${i} ${salt}\n`;
    const digest = await fx.store.putBytes(content);
    entries[`src/f${i}.txt`] = { type: "file", mode: 0o644, digest, size: content.length };
  }
  return { entries };
}

function execSpec(args: string[], ops: FsOp[]): ExecSpec {
  const base = defaultExecSpec(busybox, args, `layers ${args.join(" ")}`);
  fx.removeImageAfter(`gantry-cache:${base.digest.slice(7)}`);
  return { ...base, ops, workdir: "/work" };
}

// An image's parent and labels, as the engine keeps them.
async function inspectOf(
  image: string,
): Promise<{ parent: string; labels: Record<string, string> }> {
  const { stdout } = await run("docker", [
    "image",
    "inspect",
    "--format",
    "{{json .Parent}} {{json .Config.Labels}}",
    image,
  ]);
  const line = stdout.trim();
  const space = line.indexOf(" ");
  return {
    parent: JSON.parse(line.slice(0, space)) as string,
    labels: (JSON.parse(line.slice(space + 1)) as Record<string, string> | null) ?? {},
  };
}

// `docker history` as lines of what made each layer, its comment and size.
async function historyOf(image: string): Promise<string> {
  const format = "{{.CreatedBy}}|{{.Comment}}|{{.Size}}";
  return (await run("docker", ["history", "--no-trunc", "--format", format, image])).stdout;
}

// The baked source layer's image under an exec's snapshot.
async function bakedUnder(outcome: ExecOutcome): Promise<string> {
  return (await inspectOf(await snapshotOf(outcome))).parent;
}

// A tree that shows what a put must get right: nested folders, modes, a symlink, an empty folder, a big file.
async function richTree(salt: string): Promise<Tree> {
  const entries: Record<string, TreeEntry> = {};
  const file = async (content: string, mode: number): Promise<TreeEntry> => ({
    type: "file",
    mode,
    digest: await fx.store.putBytes(content),
    size: Buffer.byteLength(content),
  });
  for (let i = 0; i < SHARE_FROM_ENTRIES; i++)
    entries[`a/b${i % 3}/f${i}.txt`] = await file(`${salt} ${i}\n`, 0o644);
  entries["a"] = { type: "dir", mode: 0o750 };
  for (let i = 0; i < 3; i++) entries[`a/b${i}`] = { type: "dir", mode: 0o755 };
  entries["run.sh"] = await file("#!/bin/sh\necho hi\n", 0o755);
  entries["secret.key"] = await file("k\n", 0o600);
  entries["big.bin"] = await file("x".repeat(200_000) + salt, 0o644);
  entries["link"] = { type: "symlink", target: "a/b0/f0.txt" };
  entries["empty"] = { type: "dir", mode: 0o700 };
  return { entries };
}

// The image's layer digests, bottom first.
async function layersOf(image: string): Promise<string[]> {
  const { stdout } = await run("docker", [
    "image",
    "inspect",
    "--format",
    "{{json .RootFS.Layers}}",
    image,
  ]);
  return JSON.parse(stdout) as string[];
}

describe("shared source layers (docker runtime)", () => {
  it("bakes a big put once for parallel execs, which then commit only their own changes", async () => {
    const tree = await sourceTree(SHARE_FROM_ENTRIES + 8, String(Date.now()));
    const ops: FsOp[] = [{ op: "put", path: "/work", tree }];
    const rt = containers();
    const outcomes = await Promise.all(
      [1, 2, 3].map((i) =>
        rt.exec(execSpec(["sh", "-c", `ls src | wc -l; echo ${i} > mine`], ops)),
      ),
    );
    for (const o of outcomes) expect(o.stdout.trim()).toBe(String(SHARE_FROM_ENTRIES + 8));
    const layers = await Promise.all(outcomes.map(async (o) => layersOf(await snapshotOf(o))));
    const base = await layersOf(busybox.id);
    for (const l of layers) {
      // base image, then the one baked source layer, then the exec's own layer
      expect(l.slice(0, base.length)).toEqual(base);
      expect(l).toHaveLength(base.length + 2);
      expect(l[base.length]).toBe(layers[0]![base.length]);
    }
    expect(new Set(layers.map((l) => l.at(-1))).size).toBe(3);
  });

  it("keeps small puts in the exec's own container (no extra layer)", async () => {
    const tree = await sourceTree(3, String(Date.now()));
    const o = await containers().exec(
      execSpec(["sh", "-c", "cat src/f0.txt"], [{ op: "put", path: "/work", tree }]),
    );
    expect(o.stdout).toMatch(/^file 0 /);
    expect(await layersOf(await snapshotOf(o))).toHaveLength(
      (await layersOf(busybox.id)).length + 1,
    );
  });

  // performance.md Decision 20: a put at a new top-level folder is loaded as a layer (the engine writes it once)
  it("loads a big put at a new top-level folder as one layer, with the files a put and commit give", async () => {
    const started = Date.now();
    const tree = await richTree(String(started));
    const ops: FsOp[] = [{ op: "put", path: "/work", tree }];
    const list = [
      "sh",
      "-c",
      "cd / && find work | sort | while read -r p; do stat -c '%n %a %u %g %s %F %Y' \"$p\"; done; " +
        "readlink work/link; cat work/link; md5sum work/big.bin",
    ];
    const loaded = await containers().exec(execSpec(list, ops));
    const committed = await fx
      .newRuntime({ buildkitExec: false, sourceLayers: "commit" })
      .exec(execSpec(list, ops));
    expect(loaded.exitCode).toBe(0);
    expect(loaded.stdout).toContain("work/a 750 0 0");
    expect(loaded.stdout).toContain("work/secret.key 600 0 0 2 regular file");
    expect(loaded.stdout).toContain("work/empty 700 0 0");
    expect(loaded.stdout).toMatch(/^a\/b0\/f0\.txt$/m);
    expect(loaded.stdout).toBe(committed.stdout);
    // the same history (`docker history` pairs its entries with the layers), down from the exec's own entry
    expect(await historyOf(await snapshotOf(loaded))).toBe(
      await historyOf(await snapshotOf(committed)),
    );
    // the way each was made: a loaded image has no parent and is measured over the base; a commit's parent is the base
    const viaLoad = await inspectOf(await bakedUnder(loaded));
    expect(viaLoad.parent).toBe("");
    expect(viaLoad.labels["gantry.size-over"]).toBe(` ${busybox.id}`);
    expect(viaLoad.labels["gantry.managed"]).toBe("true");
    const viaCommit = await inspectOf(await bakedUnder(committed));
    expect(viaCommit.parent).toBe(busybox.id);
    // both count what the source adds, not the whole filesystem under it
    const objects = containers().cacheObjects;
    const [addedLoad, addedCommit] = await Promise.all([
      objects.addedBytes([await bakedUnder(loaded)]),
      objects.addedBytes([await bakedUnder(committed)]),
    ]);
    expect(addedLoad).toBeGreaterThan(200_000);
    expect(addedLoad).toBe(addedCommit);
    // a run's estimate: its execs' snapshots over what was there before it, the source layer made during it included
    const [runLoad, runCommit] = await Promise.all([
      objects.addedBytes([await snapshotOf(loaded)], started),
      objects.addedBytes([await snapshotOf(committed)], started),
    ]);
    expect(runLoad).toBeGreaterThan(200_000);
    expect(runLoad).toBe(runCommit);
  });

  it("puts and commits where the target folder exists in the base, which keeps its mode", async () => {
    const tree = await sourceTree(SHARE_FROM_ENTRIES, String(Date.now()));
    const o = await containers().exec(
      execSpec(
        ["sh", "-c", "stat -c '%a' /tmp; ls /tmp/src | wc -l"],
        [{ op: "put", path: "/tmp", tree }],
      ),
    );
    expect(o.stdout.trim().split("\n")).toEqual(["1777", String(SHARE_FROM_ENTRIES)]);
    expect((await inspectOf(await bakedUnder(o))).parent).toBe(busybox.id);
  });

  it("loses names a layer reads as a deletion (.wh.) inside the folder as a commit does, and nothing else", async () => {
    const source = await sourceTree(SHARE_FROM_ENTRIES, String(Date.now()));
    const content = "not a whiteout\n";
    const notes: TreeEntry = {
      type: "file",
      mode: 0o644,
      digest: await fx.store.putBytes(content),
      size: content.length,
    };
    const tree: Tree = { entries: { ...source.entries, "src/.wh.notes": notes } };
    const list = ["sh", "-c", "ls -a /work/src | wc -l; ls /etc | wc -l"];
    const ops: FsOp[] = [{ op: "put", path: "/work", tree }];
    const loaded = await containers().exec(execSpec(list, ops));
    const committed = await fx
      .newRuntime({ buildkitExec: false, sourceLayers: "commit" })
      .exec(execSpec(list, ops));
    expect((await inspectOf(await bakedUnder(loaded))).parent).toBe("");
    expect(loaded.stdout).toBe(committed.stdout);
    // ".", ".." and the source's files, without .wh.notes (docker's layers have no way to hold it)
    expect(loaded.stdout.split("\n")[0]).toBe(String(SHARE_FROM_ENTRIES + 2));
  });
});
