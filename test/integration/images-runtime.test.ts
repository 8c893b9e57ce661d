// DockerImages against the real engine and a real local registry: build, failing build, publish (with and without
// auth), load. No mocks; every image and tag made here is removed afterwards.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import type Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv } from "../../src/env.js";
import { ImageError } from "../../src/errors.js";
import { connectDocker } from "../../src/runtime/docker/connection/connect-docker.js";
import { DockerImages } from "../../src/runtime/docker/images/docker-images.js";
import { resolveImage } from "../../src/runtime/docker/images/image-resolver.js";
import { runLabels } from "../../src/runtime/docker/cleanup/labels.js";
import { LaterWork } from "../../src/runtime/docker/connection/run-context.js";
import type { BuildSpec, ResolvedImage } from "../../src/runtime/runtime.js";
import { ContentStore } from "../../src/store/content-store.js";
import type { Tree, TreeEntry } from "../../src/store/tree.js";

const run = promisify(execFile);
const BUSYBOX = "gantry-test/busybox:latest";
const REGISTRY = "127.0.0.1:5000";
const AUTH_REGISTRY = "127.0.0.1:5001";
const never = new AbortController().signal;

let docker: Dockerode;
let store: ContentStore;
let stateDir: string;
let images: DockerImages;
let busybox: ResolvedImage;
const toRemove: string[] = [];

beforeAll(async () => {
  await run("bash", ["scripts/ensure-registry.sh"], { env: { ...process.env, AUTH: "1" } });
  docker = (await connectDocker(readEnv())).docker;
  stateDir = await mkdtemp(path.join(os.tmpdir(), "gantry-images-rt-"));
  store = new ContentStore(stateDir);
  await store.init();
  const runId = `it-${randomBytes(5).toString("hex")}`;
  images = new DockerImages({
    docker,
    store,
    runId,
    isLocalEngine: true,
    labels: runLabels(runId),
    ownerLabels: {},
    later: new LaterWork(),
  });
  busybox = await resolveImage(docker, BUSYBOX, never);
});

afterAll(async () => {
  for (const image of toRemove.reverse()) await run("docker", ["rmi", "-f", image]).catch(() => {});
  await rm(stateDir, { recursive: true, force: true });
});

// A context tree of small text files, their blobs in the test's store.
async function contextTree(files: Record<string, string>): Promise<Tree> {
  const entries: Record<string, TreeEntry> = {};
  for (const [name, content] of Object.entries(files)) {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++)
      entries[parts.slice(0, i).join("/")] = { type: "dir", mode: 0o755 };
    const digest = await store.putBytes(content);
    entries[name] = { type: "file", mode: 0o644, digest, size: Buffer.byteLength(content) };
  }
  return { entries };
}

// A build spec with a fresh tag that the test removes afterwards.
function buildSpec(context: Tree, more: Partial<BuildSpec> = {}): BuildSpec {
  const tag = `gantry-build:it-${randomBytes(8).toString("hex")}`;
  toRemove.push(tag);
  return { context, dockerfile: "Dockerfile", buildArgs: {}, tag, signal: never, ...more };
}

async function dockerOut(...args: string[]): Promise<string> {
  return (await run("docker", args, { maxBuffer: 256 * 1024 * 1024 })).stdout;
}

describe("DockerImages.build", () => {
  it("builds with build args and a target stage, streams output, and returns the image's config", async () => {
    const context = await contextTree({
      Dockerfile: [
        `FROM ${BUSYBOX} AS base`,
        "ARG GREETING=hello",
        'RUN echo "greeting is $GREETING" && echo "$GREETING" > /greeting',
        "FROM base AS app",
        "COPY app.txt /app.txt",
        "ENV APP=1",
        "WORKDIR /srv",
        'CMD ["cat", "/app.txt"]',
        "FROM base AS other",
        "RUN echo other > /other",
      ].join("\n"),
      "app.txt": "app file\n",
    });
    const output: string[] = [];
    const built = await images.build(
      buildSpec(context, {
        buildArgs: { GREETING: "bonjour" },
        target: "app",
        onOutput: (_s, chunk) => output.push(chunk),
      }),
    );
    expect(built.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.config.env).toContain("APP=1");
    expect(built.config.workdir).toBe("/srv");
    expect(built.config.cmd).toEqual(["cat", "/app.txt"]);
    expect(built.config.labels["gantry.managed"]).toBeUndefined();
    expect(output.join("")).toContain("greeting is bonjour");
    const out = await dockerOut(
      "run",
      "--rm",
      built.id,
      "sh",
      "-c",
      "cat /greeting /app.txt; ls /other 2>&1 || true",
    );
    expect(out).toContain("bonjour\napp file\n");
    expect(out).toMatch(/No such file/);
  });

  it("rejects a failing RUN with the instruction and its last output lines", async () => {
    const context = await contextTree({
      Dockerfile: `FROM ${BUSYBOX}\nRUN echo preparing\nRUN echo "the compiler says no" >&2 && exit 3\nRUN echo never\n`,
    });
    const err = await images.build(buildSpec(context)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    const message = (err as ImageError).message;
    // The total counts the LABEL step the build adds, so only the step's own number is fixed.
    expect(message).toMatch(/at Step 3\/\d+ : RUN echo "the compiler says no" >&2 && exit 3:/);
    expect(message).toContain("last output:\n  the compiler says no");
    expect(message).not.toContain("\x1b[");
    expect(message).not.toContain("Removing intermediate container");
    expect(message).toContain("returned a non-zero code: 3");
    expect(message).not.toContain("preparing");
  });

  it("names a missing COPY source", async () => {
    const context = await contextTree({ Dockerfile: `FROM ${BUSYBOX}\nCOPY missing.txt /\n` });
    const err = await images.build(buildSpec(context)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toMatch(/at Step 2\/\d+ : COPY missing.txt \/: .*missing.txt/s);
  });
});

describe("DockerImages.publish", () => {
  it("pushes the snapshot with the given config and answers ref@digest; the image pulls back and runs", async () => {
    const repo = `${REGISTRY}/gantry-it/rt-${randomBytes(4).toString("hex")}`;
    const config = { ...busybox.config, env: [...busybox.config.env, "PUBLISHED=yes"], labels: {} };
    const published = await images.publish(busybox.id, config, `${repo}:v1`, undefined, never);
    expect(published).toMatch(new RegExp(`^${repo.replace(/\./g, "\\.")}:v1@sha256:[0-9a-f]{64}$`));
    // The tag it made for the push is gone again; pulling really fetches from the registry.
    await expect(dockerOut("image", "inspect", `${repo}:v1`)).rejects.toThrow();
    toRemove.push(`${repo}:v1`);
    await dockerOut("pull", published);
    toRemove.push(published);
    const out = await dockerOut("run", "--rm", published, "sh", "-c", "echo $PUBLISHED");
    expect(out.trim()).toBe("yes");
    const labels = await dockerOut("image", "inspect", "-f", "{{json .Config.Labels}}", published);
    expect(labels.trim()).toBe("null");
  });

  it("pushes to a registry that needs a login with credentials, and fails clearly without", async () => {
    const ref = `${AUTH_REGISTRY}/gantry-it/auth-${randomBytes(4).toString("hex")}:1`;
    const err = await images
      .publish(busybox.id, busybox.config, ref, undefined, never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toContain(`could not push ${ref}`);
    expect((err as ImageError).hint).toContain("withRegistryAuth");
    const auth = { username: "gantry", password: "gantry-secret", serveraddress: AUTH_REGISTRY };
    const published = await images.publish(busybox.id, busybox.config, ref, auth, never);
    expect(published).toMatch(/@sha256:[0-9a-f]{64}$/);
    const wrong = { ...auth, password: "not-the-password" };
    const denied = await images
      .publish(busybox.id, busybox.config, ref, wrong, never)
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ImageError);
    expect((denied as Error).message).not.toContain("not-the-password");
  });
});

describe("DockerImages.load", () => {
  it("loads a docker-archive tarball from the store and returns its id and config", async () => {
    const saved = (await docker.getImage(busybox.id).get()) as Readable;
    const { digest, size } = await store.putStream(saved);
    const loaded = await images.load({ type: "file", mode: 0o644, digest, size }, never);
    expect(loaded.id).toBe(busybox.id);
    expect(loaded.config.cmd).toEqual(["sh"]);
    const tags = await dockerOut("image", "inspect", "-f", "{{json .RepoTags}}", loaded.id);
    expect(tags).toContain(`gantry-import:${busybox.id.slice(7)}`);
    toRemove.push(`gantry-import:${busybox.id.slice(7)}`);
  });

  it("rejects something that is not an image tarball", async () => {
    const digest = await store.putBytes("not a tarball at all");
    const err = await images
      .load({ type: "file", mode: 0o644, digest, size: 20 }, never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toContain("could not load image tarball");
  });
});
