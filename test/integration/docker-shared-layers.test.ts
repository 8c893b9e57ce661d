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
import type { ExecSpec, FsOp, ResolvedImage } from "../../src/runtime/runtime.js";
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
});
