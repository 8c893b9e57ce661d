// The pieces of BuildKit execs that need no engine: which execs qualify, fsutil's walk order, the LLB bytes, and an
// engine that has no BuildKit API (Podman answers POST /grpc with 404) asked once.
import Dockerode from "dockerode";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { whyNotBuildkit } from "../../src/runtime/docker/buildkit/buildkit-exec.js";
import { BuildkitControl } from "../../src/runtime/docker/buildkit/control.js";
import { removableBaseTags } from "../../src/runtime/docker/cleanup/base-tags.js";
import { walkOrder } from "../../src/runtime/docker/buildkit/exec-session.js";
import {
  copyIntoOp,
  execOp,
  Graph,
  platformMessage,
  rmOp,
  sourceOp,
} from "../../src/runtime/docker/buildkit/llb.js";
import type { ExecSpec } from "../../src/runtime/runtime.js";
import { decodeFields } from "../../src/runtime/docker/images/protobuf-lite.js";

const entry = { type: "file" as const, mode: 0o644, digest: "sha256:" + "2".repeat(64), size: 1 };

const spec = (more: Partial<ExecSpec> = {}): ExecSpec => ({
  step: "s",
  digest: "sha256:" + "0".repeat(64),
  base: "sha256:" + "1".repeat(64),
  ops: [],
  args: ["true"],
  env: [],
  secretEnv: {},
  workdir: "/",
  user: "",
  mounts: [],
  signal: new AbortController().signal,
  ...more,
});

describe("which execs BuildKit runs", () => {
  it("takes plain execs, root and numeric owners", () => {
    expect(whyNotBuildkit(spec())).toBeUndefined();
    expect(whyNotBuildkit(spec({ user: "0:0" }))).toBeUndefined();
    expect(
      whyNotBuildkit(spec({ ops: [{ op: "putFile", path: "/f", entry, owner: "1000:1000" }] })),
    ).toBeUndefined();
  });

  it("leaves to containers what it cannot run the same way, naming why", () => {
    expect(whyNotBuildkit(spec({ secretEnv: { T: "x" } }))).toBe("secret variables");
    expect(whyNotBuildkit(spec({ stdin: "" }))).toBe("stdin");
    expect(whyNotBuildkit(spec({ services: [{ alias: "db", target: "c" }] }))).toBe(
      "service bindings",
    );
    expect(whyNotBuildkit(spec({ user: "node" }))).toBe("a non-root user");
    expect(whyNotBuildkit(spec({ memoryLimit: 1 << 20 }))).toBe("a memory limit");
    expect(whyNotBuildkit(spec({ redirectStdout: "out" }))).toBe("redirects");
    // BuildKit v0.8's tmpfs takes no size, and its flags need not be docker's
    expect(whyNotBuildkit(spec({ mounts: [{ kind: "tmp", target: "/t" }] }))).toBe("mounts");
    expect(
      whyNotBuildkit(
        spec({ mounts: [{ kind: "cache", target: "/c", volume: "v", sharing: "SHARED" }] }),
      ),
    ).toBe("mounts");
    expect(
      whyNotBuildkit(spec({ ops: [{ op: "putFile", path: "/f", entry, owner: "node" }] })),
    ).toBe("a named owner");
  });
});

describe("fsutil's walk order", () => {
  it("is Go's filepath.Walk: byte order per directory, a directory before its contents", () => {
    const dir = { type: "dir" as const, mode: 0o755 };
    const order = walkOrder({
      entries: { "a.b": dir, a: dir, "a/z": dir, "a/b": dir, B: dir, "a-c": dir, "a/b/c": dir },
    }).map((w) => w.path);
    // "a/…" sorts as "a" then its children, before "a-c" and "a.b", which a plain string sort would not give
    expect(order).toEqual(["B", "a", "a/b", "a/b/c", "a/z", "a-c", "a.b"]);
  });
});

describe("LLB", () => {
  it("gives an op the same digest for the same bytes, and a definition ending in the result", () => {
    const g = new Graph(platformMessage({ os: "linux", architecture: "amd64" }));
    const base = g.add(sourceOp("docker-image://docker.io/library/x:1"));
    const again = g.add(sourceOp("docker-image://docker.io/library/x:1"));
    expect(again).toEqual(base);
    const local = g.add(sourceOp("local://op0", { "local.unique": "u" }));
    const copied = g.add(copyIntoOp(base, local, "/src", 1n));
    const removed = g.add(rmOp(copied, "/home"), "rm");
    const def = decodeFields(g.definition(removed));
    const ops = def.filter((f) => f.no === 1);
    expect(ops).toHaveLength(5); // four ops and the result's
    // metadata: the named op's digest and its llb.customname
    const metadata = def
      .filter((f) => f.no === 2)
      .map((f) => (f.value as Buffer).toString("latin1"));
    expect(metadata).toHaveLength(1);
    expect(metadata[0]).toContain(removed.digest);
    expect(metadata[0]).toContain("llb.customname");
  });
});

describe("base tags that may go", () => {
  const a = "gantry-cache:bk-base-aa-11111111-p1-r1";
  const b = "gantry-cache:bk-base-aa-11111111-p2-r2";
  it("all of them where the image has a name of its own, all but the same one where it has none", () => {
    expect(removableBaseTags([a, b, "busybox:latest"], [a, b])).toEqual([a, b]);
    expect(removableBaseTags([a, "gantry-cache:0123"], [a])).toEqual([a]);
    // a closing run (removing b) and a reaper (removing a) deciding at once keep the same last name
    expect(removableBaseTags([a, b], [b])).toEqual([b]);
    expect(removableBaseTags([a, b], [a])).toEqual([]);
    expect(removableBaseTags([a], [a])).toEqual([]);
  });
});

describe("LLB field by field", () => {
  const fields = (b: Buffer | number) => decodeFields(b as Buffer);
  const one = (b: Buffer | number, no: number) => fields(b).find((f) => f.no === no)?.value;

  it("writes a copy as ops.proto says: inputs, FileOp.actions, FileActionCopy, -1 as 64-bit two's complement", () => {
    const base = { digest: "sha256:" + "a".repeat(64), index: 0 };
    const src = { digest: "sha256:" + "b".repeat(64), index: 0 };
    const op = fields(
      copyIntoOp(base, src, "/src", 499162500n * 1_000_000_000n, { uid: 1000, gid: 0 }),
    );
    // Op{inputs=1 (twice), file=4}
    expect(op.filter((f) => f.no === 1).map((f) => String(one(f.value, 1)))).toEqual([
      base.digest,
      src.digest,
    ]);
    const action = one(one(op.find((f) => f.no === 4)!.value, 2)!, 4)!; // FileOp.actions[0].copy
    expect(String(one(action, 1))).toBe("/");
    expect(String(one(action, 2))).toBe("/src");
    expect(one(action, 4)).toBe(2 ** 64 - 1); // mode -1: keep the source's
    expect(one(action, 6)).toBe(1); // dirCopyContents
    expect(one(action, 8)).toBe(1); // createDestPath
    expect(one(action, 11)).toBe(499162500 * 1e9); // Gantry's fixed time, in ns
    // ChownOpt{user=1{byID=2: 1000}, group=2{byID=2: 0}}: a zero inside the oneof is still written
    const owner = one(action, 3)!;
    expect(fields(one(owner, 1)!)).toEqual([{ no: 2, value: 1000 }]);
    expect(fields(one(owner, 2)!)).toEqual([{ no: 2, value: 0 }]);
    // the action reads input 0 and secondary input 1 and makes output 0
    const act = fields(one(op.find((f) => f.no === 4)!.value, 2)!);
    expect(act.find((f) => f.no === 2)?.value).toBe(1);
    expect(act.some((f) => f.no === 1 || f.no === 3)).toBe(false);
  });

  it("writes a removal with no secondary input (-1) and allowNotFound", () => {
    const op = fields(rmOp({ digest: "sha256:" + "a".repeat(64), index: 0 }, "/home"));
    const act = fields(one(op.find((f) => f.no === 4)!.value, 2)!);
    expect(act.find((f) => f.no === 2)?.value).toBe(2 ** 64 - 1);
    const rm = act.find((f) => f.no === 7)!.value;
    expect(String(one(rm, 1))).toBe("/home");
    expect(one(rm, 2)).toBe(1);
  });

  it("mounts the shim read-only from a further input, beside the scratch mount that is output 1", () => {
    const root = { digest: "sha256:" + "a".repeat(64), index: 0 };
    const shim = { digest: "sha256:" + "c".repeat(64), index: 0 };
    const op = fields(
      execOp(root, { args: ["/dev/.gantry-shim/exec-shim"], env: [], cwd: "/", user: "" }, [
        { kind: "scratch", dest: "/dev/.gantry-exec", output: 1 },
        { kind: "readonly", dest: "/dev/.gantry-shim", ref: shim },
      ]),
    );
    // Op{inputs=1: root, then the shim}
    expect(op.filter((f) => f.no === 1).map((f) => String(one(f.value, 1)))).toEqual([
      root.digest,
      shim.digest,
    ]);
    // ExecOp{mounts=2}: Mount{input=1, dest=3, output=4, readonly=5}
    const mounts = fields(op.find((f) => f.no === 2)!.value)
      .filter((f) => f.no === 2)
      .map((m) => fields(m.value));
    const field = (m: ReturnType<typeof fields>, no: number) => m.find((f) => f.no === no)?.value;
    expect(mounts.map((m) => String(field(m, 3)))).toEqual([
      "/",
      "/dev/.gantry-exec",
      "/dev/.gantry-shim",
    ]);
    expect(mounts.map((m) => field(m, 1))).toEqual([undefined, 2 ** 64 - 1, 1]); // input 0 is not written
    expect(mounts.map((m) => field(m, 4))).toEqual([undefined, 1, 2 ** 64 - 1]);
    expect(mounts.map((m) => field(m, 5))).toEqual([undefined, undefined, 1]);
  });
});

describe("an engine without BuildKit's API", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("is asked once: later solves fail at once, and say why", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-nobk-"));
    dirs.push(dir);
    const socketPath = path.join(dir, "engine.sock");
    let asked = 0;
    const server = http.createServer((req, res) => {
      if (req.url === "/grpc") asked++;
      res.writeHead(404, { "content-type": "text/plain" }).end("page not found");
    });
    await new Promise<void>((r) => server.listen(socketPath, r));
    try {
      const control = new BuildkitControl(new Dockerode({ socketPath }));
      const opts = { session: "s", signal: new AbortController().signal };
      await expect(control.solve(Buffer.alloc(0), opts)).rejects.toThrow(
        /no BuildKit API \(HTTP 404\): page not found/,
      );
      expect(control.unavailable).toBe(true);
      await expect(control.solve(Buffer.alloc(0), opts)).rejects.toThrow(/no BuildKit API/);
      expect(asked).toBe(1);
      control.close();
    } finally {
      server.close();
    }
  });
});
