// One setup for tests that drive DockerRuntime directly: an engine connection, a content store, runtimes with run
// ids of their own, and the cleanup of what the tests made (runtimes, volumes, images) after the file.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type Dockerode from "dockerode";
import { afterAll, beforeAll } from "vitest";
import { readEnv } from "../../src/env.js";
import { connectDocker } from "../../src/runtime/docker/connection/connect-docker.js";
import { DockerRuntime } from "../../src/runtime/docker/docker-runtime.js";
import type { ExecOutcome, ExecSpec, ResolvedImage } from "../../src/runtime/runtime.js";
import { ContentStore } from "../../src/store/content-store.js";
import type { FileEntry, Tree, TreeEntry } from "../../src/store/tree.js";

const run = promisify(execFile);

export interface DockerRuntimeFixture {
  readonly docker: Dockerode;
  readonly store: ContentStore;
  readonly stateDir: string;
  /** A runtime with a run id of its own (`<prefix>-<hex>`), closed after the file. */
  newRuntime(opts?: {
    isLocalEngine?: boolean;
    buildkitExec?: boolean;
    buildkitShim?: "shell";
    sourceLayers?: "commit";
  }): DockerRuntime;
  runIdOf(rt: DockerRuntime): string;
  /** Removed after the file: volumes, and images (tags or ids). */
  removeVolumeAfter(name: string): void;
  removeImageAfter(ref: string): void;
  /** A file of `content`, its blob in the fixture's store. */
  fileEntry(content: string, mode?: number): Promise<FileEntry>;
  /** A tree of text files by path (their parent directories made too), blobs in the fixture's store. */
  tree(files: Record<string, string>): Promise<Tree>;
}

/** Register beforeAll/afterAll for the calling test file; the fixture's fields are ready inside tests. */
export function useDockerRuntimeFixture(prefix: string): DockerRuntimeFixture {
  const runtimes: DockerRuntime[] = [];
  const volumes: string[] = [];
  const images: string[] = [];
  let docker: Dockerode | undefined;
  let store: ContentStore | undefined;
  let stateDir: string | undefined;
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined)
      throw new Error(`docker runtime fixture: ${what} is used before beforeAll ran`);
    return v;
  };

  beforeAll(async () => {
    docker = (await connectDocker(readEnv())).docker;
    stateDir = await mkdtemp(path.join(os.tmpdir(), `gantry-${prefix}-`));
    store = new ContentStore(stateDir);
    await store.init();
  });

  afterAll(async () => {
    for (const rt of runtimes) await rt.close();
    for (const name of volumes) await run("docker", ["volume", "rm", "-f", name]).catch(() => {});
    for (let i = 0; i < images.length; i += 50)
      await run("docker", ["rmi", "-f", ...images.slice(i, i + 50)]).catch(() => {});
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  return {
    get docker() {
      return ready(docker, "docker");
    },
    get store() {
      return ready(store, "store");
    },
    get stateDir() {
      return ready(stateDir, "stateDir");
    },
    newRuntime(opts = {}) {
      const rt = new DockerRuntime({
        docker: ready(docker, "docker"),
        store: ready(store, "store"),
        runId: `${prefix}-${randomBytes(5).toString("hex")}`,
        isLocalEngine: opts.isLocalEngine ?? true,
        buildkitExec: opts.buildkitExec ?? process.env["GANTRY_BUILDKIT_EXEC"] === "1",
        buildkitShim: opts.buildkitShim,
        sourceLayers: opts.sourceLayers,
      });
      runtimes.push(rt);
      return rt;
    },
    runIdOf: (rt) => (rt as unknown as { ctx: { runId: string } }).ctx.runId,
    removeVolumeAfter: (name) => void volumes.push(name),
    removeImageAfter: (ref) => void images.push(ref),
    fileEntry,
    tree,
  };

  async function fileEntry(content: string, mode = 0o644): Promise<FileEntry> {
    return {
      type: "file",
      mode,
      digest: await ready(store, "store").putBytes(content),
      size: Buffer.byteLength(content),
    };
  }

  async function tree(files: Record<string, string>): Promise<Tree> {
    const entries: Record<string, TreeEntry> = {};
    for (const [name, content] of Object.entries(files)) {
      const parts = name.split("/");
      for (let i = 1; i < parts.length; i++)
        entries[parts.slice(0, i).join("/")] = { type: "dir", mode: 0o755 };
      entries[name] = await fileEntry(content);
    }
    return { entries };
  }
}

/** An exec on `image` with everything else defaulted (no ops, no mounts, the image's env, root in /). */
export function defaultExecSpec(
  image: ResolvedImage,
  args: string[],
  step: string,
  digest = "sha256:" + randomBytes(32).toString("hex"),
): ExecSpec {
  return {
    step: step.slice(0, 60),
    digest,
    base: image.id,
    ops: [],
    args,
    env: image.config.env,
    secretEnv: {},
    workdir: "/",
    user: "",
    mounts: [],
    signal: new AbortController().signal,
  };
}

/** The exec's filesystem as an image: the docker runtime commits it only when asked (keep), as a run does on a read. */
export async function snapshotOf(outcome: ExecOutcome): Promise<string> {
  return outcome.snapshot ?? (await outcome.keep());
}
