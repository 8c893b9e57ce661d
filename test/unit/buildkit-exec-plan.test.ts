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
import { walkOrder } from "../../src/runtime/docker/buildkit/exec-session.js";
import { copyIntoOp, Graph, rmOp, sourceOp } from "../../src/runtime/docker/buildkit/llb.js";
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
  it("takes plain execs, tmpfs mounts, root and numeric owners", () => {
    expect(whyNotBuildkit(spec())).toBeUndefined();
    expect(
      whyNotBuildkit(spec({ user: "0:0", mounts: [{ kind: "tmp", target: "/t" }] })),
    ).toBeUndefined();
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
    const g = new Graph();
    const base = g.add(sourceOp("docker-image://docker.io/library/x:1"));
    const again = g.add(sourceOp("docker-image://docker.io/library/x:1"));
    expect(again).toEqual(base);
    const local = g.add(sourceOp("local://op0", { "local.unique": "u" }));
    const copied = g.add(copyIntoOp(base, local, "/src", 1n));
    const removed = g.add(rmOp(copied, "/home"), { name: "rm", ignoreCache: true });
    const def = decodeFields(g.definition(removed, { honourIgnoreCache: true }));
    const ops = def.filter((f) => f.no === 1);
    expect(ops).toHaveLength(5); // four ops and the result's
    const metadata = def
      .filter((f) => f.no === 2)
      .map((f) => (f.value as Buffer).toString("latin1"));
    expect(metadata.join()).toContain(removed.digest);
    expect(metadata.join()).toContain("llb.customname");
    // ignore_cache (OpMetadata field 1) only when asked for
    const without = decodeFields(g.definition(removed, { honourIgnoreCache: false })).filter(
      (f) => f.no === 2,
    );
    const opMeta = (f: { value: number | Buffer }) =>
      decodeFields(decodeFields(f.value as Buffer).find((x) => x.no === 2)!.value as Buffer);
    expect(opMeta(def.find((f) => f.no === 2)!).some((x) => x.no === 1 && x.value === 1)).toBe(
      true,
    );
    expect(opMeta(without[0]!).some((x) => x.no === 1)).toBe(false);
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
