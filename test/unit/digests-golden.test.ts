// Golden digests: any change to a cache key's encoding shows up here as a diff someone has to accept on purpose.
import { imageOps } from "../../src/engine/images/index.js";
import { bindingOps } from "../../src/engine/services/service-calls.js";
import { describe, expect, it, beforeAll } from "vitest";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ContentStore } from "../../src/store/content-store.js";
import { Session } from "../../src/engine/session.js";
import { EventBus } from "../../src/engine/events.js";
import { planExec } from "../../src/engine/evaluate/exec-plan.js";
import { treeDigest } from "../../src/store/tree.js";
import { canonicalEncode } from "../../src/store/digest.js";
import { dag, CacheSharingMode } from "../../src/sdk/index.js";
import type { Container } from "../../src/sdk/container.js";
import type { Runtime } from "../../src/runtime/runtime.js";

const GOLDEN = path.join(import.meta.dirname, "../golden/digests.json");

// Digests are computed before anything runs, so a runtime that only answers "what is this image" is enough here.
function planningRuntime(): Runtime {
  const no = () => Promise.reject(new Error("planning only"));
  return {
    name: "docker",
    resolveImage: async (ref) => ({
      id: `sha256:${Buffer.from(ref).toString("hex").padEnd(64, "0").slice(0, 64)}`,
      config: {
        env: ["PATH=/usr/bin:/bin"],
        workdir: "/",
        user: "",
        entrypoint: [],
        cmd: [],
        labels: {},
        exposedPorts: [],
      },
    }),
    scratch: async () => "sha256:scratch",
    exec: no,
    applyOps: no,
    hasSnapshot: async () => false,
    readDirectory: no,
    readFile: no,
    exportImage: no,
    close: async () => {},
  };
}

function pipelines(): Record<string, Container> {
  const src = dag
    .directory()
    .withNewFile("a.txt", "A")
    .withNewFile("sub/b.txt", "B", { permissions: 0o755 });
  const base = dag.container().from("debian:bookworm");
  return {
    "exec-simple": base.withExec(["echo", "hi"]),
    "exec-env-workdir": base.withEnvVariable("A", "1").withWorkdir("/src").withExec(["ls"]),
    "exec-labels-do-not-count": base
      .withLabel("x", "y")
      .withEnvVariable("A", "1")
      .withWorkdir("/src")
      .withExec(["ls"]),
    "exec-with-directory": base.withDirectory("/src", src).withExec(["cat", "/src/a.txt"]),
    "exec-with-directory-exclude": base
      .withDirectory("/src", src, { exclude: ["sub"] })
      .withExec(["cat", "/src/a.txt"]),
    "exec-new-file": base.withNewFile("/etc/x", "contents").withExec(["cat", "/etc/x"]),
    "exec-cache-mount": base
      .withMountedCache("/cache", dag.cacheVolume("c1"), { sharing: CacheSharingMode.Locked })
      .withExec(["ls"]),
    "exec-secret-env": base
      .withSecretVariable("TOKEN", dag.setSecret("t", "s3cr3t-value"))
      .withExec(["env"]),
    "exec-chain": base.withExec(["echo", "1"]).withExec(["echo", "2"]),
    "exec-stdin": base.withExec(["cat"], { stdin: "input" }),
  };
}

describe("golden digests", () => {
  let session: Session;
  beforeAll(async () => {
    const store = new ContentStore(await mkdtemp(path.join(os.tmpdir(), "gantry-golden-")));
    await store.init();
    session = new Session({
      runtime: planningRuntime(),
      images: imageOps,
      bindings: bindingOps,
      store,
      events: new EventBus(),
      runId: "golden",
      cwd: process.cwd(),
      parallelism: 1,
      secretKey: new Uint8Array(32).fill(7),
    });
  });

  it("match test/golden/digests.json (UPDATE_GOLDEN=1 to accept a change)", async () => {
    const actual: Record<string, string> = {};
    for (const [name, ctr] of Object.entries(pipelines())) {
      const exec = ctr._state.lastExec;
      if (!exec || exec.state.fs.kind === "exec") {
        // chains: the parent exec would have to run; plan only the first exec of the chain
        const first = exec?.state.fs.kind === "exec" ? exec.state.fs.exec : exec;
        actual[name] = (await session.run(() => planExec(session, first!))).digest;
      } else {
        actual[name] = (await session.run(() => planExec(session, exec))).digest;
      }
    }
    actual["tree-two-files"] = treeDigest({
      entries: {
        a: { type: "file", mode: 0o644, digest: "sha256:" + "1".repeat(64), size: 1 },
        d: { type: "dir", mode: 0o755 },
        "d/l": { type: "symlink", target: "../a" },
      },
    });
    actual["canonical-encoding"] = canonicalEncode({ b: [1, { d: 2, c: undefined }], a: "x" });
    if (process.env.UPDATE_GOLDEN === "1")
      await writeFile(GOLDEN, JSON.stringify(actual, null, 2) + "\n");
    const golden = JSON.parse(await readFile(GOLDEN, "utf8")) as Record<string, string>;
    expect(actual).toEqual(golden);
    // Properties the golden values must have, independent of their exact bytes:
    expect(actual["exec-labels-do-not-count"]).toBe(actual["exec-env-workdir"]);
    expect(actual["exec-with-directory"]).not.toBe(actual["exec-with-directory-exclude"]);
    expect(JSON.stringify(actual)).not.toContain("s3cr3t-value");
  });
});
