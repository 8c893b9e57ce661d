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
import { dag, CacheSharingMode, ReturnType } from "../../src/sdk/index.js";
import type { Container } from "../../src/sdk/container.js";
import type { Runtime } from "../../src/runtime/runtime.js";

const GOLDEN = path.join(import.meta.dirname, "../golden/digests.json");
const UPDATING = process.env.UPDATE_GOLDEN === "1";

// Digests are computed before anything runs: a runtime that names images and answers every exec with one fixed
// snapshot is enough, and lets a chain's child be planned on top of its parent's result.
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
    exec: async () => ({ snapshot: "sha256:planned", exitCode: 0, stdout: "", stderr: "" }),
    applyOps: no,
    hasSnapshot: async () => false,
    readDirectory: no,
    readFile: no,
    exportImage: no,
    close: async () => {},
  };
}

// One pipeline per exec input; `base` is the same exec without that input (see DIFFERS_FROM).
function pipelines(): Record<string, Container> {
  const src = dag
    .directory()
    .withNewFile("a.txt", "A")
    .withNewFile("sub/b.txt", "B", { permissions: 0o755 });
  const base = dag.container().from("debian:bookworm");
  const secret = dag.setSecret("t", "s3cr3t-value");
  const db = dag
    .container()
    .from("postgres:15")
    .withExposedPort(5432)
    .asService({ args: ["postgres"] });
  const db16 = dag
    .container()
    .from("postgres:16")
    .withExposedPort(5432)
    .asService({ args: ["postgres"] });
  // Dagger's older style: the service runs its last withExec
  const older = (c: Container) => c.withExec(["postgres"]);
  const pg = dag.container().from("postgres:15");
  const dbOlder = older(pg.withExposedPort(5432)).asService();
  const dbOlderNoPort = older(pg).asService();
  const dbOlderPortAfter = older(pg).withExposedPort(5432).asService();
  const echo = ["echo", "hi"];
  return {
    "exec-service-binding-older": base.withServiceBinding("db", dbOlder).withExec(echo),
    "exec-service-binding-older-no-port": base
      .withServiceBinding("db", dbOlderNoPort)
      .withExec(echo),
    "exec-service-binding-older-port-after": base
      .withServiceBinding("db", dbOlderPortAfter)
      .withExec(echo),
    "exec-root-capabilities": base.withExec(echo, { insecureRootCapabilities: true }),
    "exec-simple": base.withExec(echo),
    "exec-env-workdir": base.withEnvVariable("A", "1").withWorkdir("/src").withExec(["ls"]),
    "exec-labels-do-not-count": base
      .withLabel("x", "y")
      .withEnvVariable("A", "1")
      .withWorkdir("/src")
      .withExec(["ls"]),
    "exec-env-ab": base.withEnvVariable("A", "1").withEnvVariable("B", "2").withExec(echo),
    "exec-env-ba": base.withEnvVariable("B", "2").withEnvVariable("A", "1").withExec(echo),
    "exec-user": base.withUser("nobody").withExec(echo),
    "exec-user-numeric": base.withUser("65534").withExec(echo),
    "exec-redirect-stdout": base.withExec(echo, { redirectStdout: "/out" }),
    "exec-redirect-stderr": base.withExec(echo, { redirectStderr: "/out" }),
    "exec-with-directory": base.withDirectory("/src", src).withExec(["cat", "/src/a.txt"]),
    "exec-with-directory-exclude": base
      .withDirectory("/src", src, { exclude: ["sub"] })
      .withExec(["cat", "/src/a.txt"]),
    "exec-new-file": base.withNewFile("/etc/x", "contents").withExec(["cat", "/etc/x"]),
    "exec-cache-mount": base
      .withMountedCache("/cache", dag.cacheVolume("c1"), { sharing: CacheSharingMode.Locked })
      .withExec(["ls"]),
    "exec-cache-mount-shared": base
      .withMountedCache("/cache", dag.cacheVolume("c1"), { sharing: CacheSharingMode.Shared })
      .withExec(["ls"]),
    "exec-cache-mount-private": base
      .withMountedCache("/cache", dag.cacheVolume("c1"), { sharing: CacheSharingMode.Private })
      .withExec(["ls"]),
    "exec-cache-mount-other-volume": base
      .withMountedCache("/cache", dag.cacheVolume("c2"), { sharing: CacheSharingMode.Locked })
      .withExec(["ls"]),
    "exec-cache-mount-owner": base
      .withMountedCache("/cache", dag.cacheVolume("c1"), {
        sharing: CacheSharingMode.Locked,
        owner: "1000:1000",
      })
      .withExec(["ls"]),
    "exec-dir-mount": base.withMountedDirectory("/src", src).withExec(["ls"]),
    "exec-dir-mount-owner": base
      .withMountedDirectory("/src", src, { owner: "1000:1000" })
      .withExec(["ls"]),
    "exec-file-mount": base.withMountedFile("/a.txt", src.file("a.txt")).withExec(["ls"]),
    "exec-file-mount-owner": base
      .withMountedFile("/a.txt", src.file("a.txt"), { owner: "1000:1000" })
      .withExec(["ls"]),
    "exec-with-directory-gitignore": base
      .withDirectory("/src", src.withNewFile(".gitignore", "sub/\n"), { gitignore: true })
      .withExec(["cat", "/src/a.txt"]),
    "exec-with-directory-gitignore-off": base
      .withDirectory("/src", src.withNewFile(".gitignore", "sub/\n"))
      .withExec(["cat", "/src/a.txt"]),
    "exec-secret-env": base.withSecretVariable("TOKEN", secret).withExec(["env"]),
    "exec-secret-mount": base.withMountedSecret("/run/s", secret).withExec(["ls"]),
    "exec-secret-mount-mode": base
      .withMountedSecret("/run/s", secret, { mode: 0o444 })
      .withExec(["ls"]),
    "exec-secret-mount-owner": base
      .withMountedSecret("/run/s", secret, { owner: "1000:1000" })
      .withExec(["ls"]),
    "exec-service-binding": base.withServiceBinding("db", db).withExec(echo),
    "exec-service-binding-alias": base.withServiceBinding("pg", db).withExec(echo),
    "exec-service-binding-service": base.withServiceBinding("db", db16).withExec(echo),
    "exec-expect-any": base.withExec(echo, { expect: ReturnType.Any }),
    "exec-chain-parent": base.withExec(["echo", "1"]),
    "exec-chain": base.withExec(["echo", "1"]).withExec(["echo", "2"]),
    "exec-chain-other-parent": base.withExec(["echo", "0"]).withExec(["echo", "2"]),
    "exec-chain-first-only": base.withExec(["echo", "2"]),
    "exec-stdin": base.withExec(["cat"], { stdin: "input" }),
    "exec-stdin-other": base.withExec(["cat"], { stdin: "other input" }),
    "exec-no-stdin": base.withExec(["cat"]),
    "exec-memory-limit": base.withExec(echo, { experimentalMemoryLimit: 64 * 1024 * 1024 }),
    "exec-memory-limit-other": base.withExec(echo, {
      experimentalMemoryLimit: 128 * 1024 * 1024,
    }),
  };
}

// Each input must change the key on its own: case -> the case that lacks only that input (or differs only in it).
const DIFFERS_FROM: Record<string, string> = {
  "exec-env-ba": "exec-env-ab",
  "exec-user": "exec-simple",
  "exec-user-numeric": "exec-user",
  "exec-redirect-stdout": "exec-simple",
  "exec-redirect-stderr": "exec-redirect-stdout",
  "exec-with-directory-exclude": "exec-with-directory",
  "exec-cache-mount-shared": "exec-cache-mount",
  "exec-cache-mount-private": "exec-cache-mount-shared",
  "exec-cache-mount-other-volume": "exec-cache-mount",
  "exec-cache-mount-owner": "exec-cache-mount",
  "exec-dir-mount-owner": "exec-dir-mount",
  "exec-file-mount-owner": "exec-file-mount",
  "exec-with-directory-gitignore": "exec-with-directory-gitignore-off",
  "exec-secret-mount-mode": "exec-secret-mount",
  "exec-secret-mount-owner": "exec-secret-mount",
  "exec-service-binding": "exec-simple",
  "exec-service-binding-alias": "exec-service-binding",
  "exec-service-binding-service": "exec-service-binding",
  "exec-chain": "exec-chain-first-only",
  "exec-chain-other-parent": "exec-chain",
  "exec-stdin": "exec-no-stdin",
  "exec-stdin-other": "exec-stdin",
  "exec-memory-limit": "exec-simple",
  "exec-root-capabilities": "exec-simple",
  "exec-service-binding-older-port-after": "exec-service-binding-older-no-port",
  "exec-memory-limit-other": "exec-memory-limit",
};

// Inputs that must NOT change the key (engine.md: labels and `expect` are not part of it).
const SAME_AS: Record<string, string> = {
  "exec-labels-do-not-count": "exec-env-workdir",
  "exec-expect-any": "exec-simple",
};

describe("golden digests", () => {
  let session: Session;
  let actual: Record<string, string>;
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
    actual = {};
    for (const [name, ctr] of Object.entries(pipelines())) {
      const exec = ctr._state.lastExec;
      if (!exec) throw new Error(`golden case ${name} has no exec`);
      actual[name] = (await session.run(() => planExec(session, exec))).digest;
    }
    actual["tree-two-files"] = treeDigest({
      entries: {
        a: { type: "file", mode: 0o644, digest: "sha256:" + "1".repeat(64), size: 1 },
        d: { type: "dir", mode: 0o755 },
        "d/l": { type: "symlink", target: "../a" },
      },
    });
    actual["canonical-encoding"] = canonicalEncode({ b: [1, { d: 2, c: undefined }], a: "x" });
  });

  it("match test/golden/digests.json (UPDATE_GOLDEN=1 writes it, then fails: re-run without it)", async () => {
    if (UPDATING) {
      await writeFile(GOLDEN, JSON.stringify(actual, null, 2) + "\n");
      // Never green while accepting: a CI run with UPDATE_GOLDEN set would otherwise compare the file with itself.
      expect.fail(
        `golden updated: ${GOLDEN} was rewritten; review the diff and re-run without UPDATE_GOLDEN`,
      );
    }
    const golden = JSON.parse(await readFile(GOLDEN, "utf8")) as Record<string, string>;
    expect(actual).toEqual(golden);
  });

  // Properties the golden values must have, independent of their exact bytes (so they hold after an update too).
  it.each(Object.entries(DIFFERS_FROM))("%s has a key of its own (not %s's)", (name, other) => {
    expect(actual[name]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(actual[name]).not.toBe(actual[other]);
  });

  it.each(Object.entries(SAME_AS))("%s shares %s's key", (name, other) => {
    expect(actual[name]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(actual[name]).toBe(actual[other]);
  });

  it("a chain's child builds on its parent's result, and no key holds a secret value", () => {
    expect(actual["exec-chain-parent"]).not.toBe(actual["exec-chain"]);
    expect(JSON.stringify(actual)).not.toContain("s3cr3t-value");
  });
});
