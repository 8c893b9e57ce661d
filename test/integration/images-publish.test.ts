// Container.publish end to end: a real local registry, with and without auth; pulled back with the docker CLI.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/engine/images/index.js";
import { dag, ImageError } from "../../src/sdk/index.js";
import { BUSYBOX, docker, makeStateDir, runIn } from "../helpers/test-session.js";

const run = promisify(execFile);
const REGISTRY = "127.0.0.1:5000";
const AUTH_REGISTRY = "127.0.0.1:5001";
const PASSWORD = "gantry-secret";
const pulled: string[] = [];

beforeAll(async () => {
  await run("bash", ["scripts/ensure-registry.sh"], { env: { ...process.env, AUTH: "1" } });
  // A login of the person running the tests (docker login 127.0.0.1:5001) would otherwise be used when none is given.
  process.env.DOCKER_CONFIG = await mkdtemp(path.join(os.tmpdir(), "gantry-no-logins-"));
});

afterAll(() => {
  for (const ref of pulled) {
    try {
      docker(["rmi", "-f", ref]);
    } catch {
      // already gone
    }
  }
});

// A repository name no other test run uses.
function repo(registry: string, name: string): string {
  return `${registry}/gantry-it/${name}-${randomBytes(4).toString("hex")}`;
}

// Pull a published ref (removed after the file) and run a command in it.
function pullAndRun(ref: string, ...cmd: string[]): string {
  docker(["pull", ref]);
  pulled.push(ref);
  return docker(["run", "--rm", ref, ...cmd]);
}

describe("Container.publish", () => {
  it("pushes a container with its files and config; docker pulls it back and runs it", async () => {
    const target = repo(REGISTRY, "sdk");
    const { value: ref, events } = await runIn("docker", await makeStateDir(), () =>
      dag
        .container()
        .from(BUSYBOX)
        .withNewFile("/hello.txt", "hello from gantry\n")
        .withEnvVariable("GREETING", "hi")
        .withoutEnvVariable("PATH")
        .withEnvVariable("PATH", "/bin")
        .withDefaultArgs(["sh", "-c", "cat /hello.txt; echo $GREETING"])
        .publish(`${target}:1.0`),
    );
    expect(ref).toMatch(new RegExp(`^${target.replace(/\./g, "\\.")}:1\\.0@sha256:[0-9a-f]{64}$`));
    expect(docker(["image", "ls", "-q", `${target}:1.0`]).trim()).toBe(""); // no tag left behind locally
    expect(pullAndRun(ref)).toBe("hello from gantry\nhi\n");
    const publishStep = events.find(
      (e) => e.type === "step.start" && e.name === `publish ${target}:1.0`,
    );
    expect(publishStep).toMatchObject({ kind: "publish" }); // its own kind in the event schema (docs/events.md)
  });

  it("publishes a Dockerfile build as built, with the tag `latest` when none is given", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-publish-ctx-"));
    await writeFile(
      path.join(dir, "Dockerfile"),
      `FROM ${BUSYBOX}\nRUN echo built > /built\nCMD ["cat", "/built"]\n`,
    );
    const target = repo(REGISTRY, "built");
    const { value: ref } = await runIn("docker", await makeStateDir(), () =>
      dag.container().build(dag.host().directory(dir)).publish(target),
    );
    expect(ref).toMatch(new RegExp(`^${target.replace(/\./g, "\\.")}:latest@sha256:`));
    expect(pullAndRun(ref)).toBe("built\n");
  });

  it("pushes to a registry that needs a login with withRegistryAuth; the password is in no event", async () => {
    const target = `${repo(AUTH_REGISTRY, "auth")}:1`;
    const ctr = dag.container().from(BUSYBOX).withNewFile("/auth.txt", "behind a login\n");
    const { value: ref, events } = await runIn("docker", await makeStateDir(), () =>
      ctr
        .withRegistryAuth(AUTH_REGISTRY, "gantry", dag.setSecret("registry-password", PASSWORD))
        .publish(target),
    );
    expect(ref).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    // The registry serves that manifest to the same credentials.
    const name = target.slice(AUTH_REGISTRY.length + 1, target.lastIndexOf(":"));
    const res = await fetch(`http://${AUTH_REGISTRY}/v2/${name}/manifests/1`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`gantry:${PASSWORD}`).toString("base64")}`,
        Accept: "application/vnd.docker.distribution.manifest.v2+json",
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("docker-content-digest")).toBe(ref.slice(ref.indexOf("@") + 1));
  });

  it("fails clearly without credentials, and with credentials for another registry", async () => {
    const target = `${repo(AUTH_REGISTRY, "denied")}:1`;
    const ctr = dag.container().from(BUSYBOX).withNewFile("/x", "x\n");
    const { value: errs, events } = await runIn("docker", await makeStateDir(), () =>
      Promise.all([
        ctr.publish(target).catch((e: unknown) => e),
        ctr
          .withRegistryAuth(REGISTRY, "gantry", dag.setSecret("other", PASSWORD))
          .publish(target)
          .catch((e: unknown) => e),
      ]),
    );
    for (const err of errs) {
      expect(err).toBeInstanceOf(ImageError);
      expect((err as Error).message).toContain(`could not push ${target}: the registry answered:`);
      expect((err as ImageError).hint).toContain(`withRegistryAuth("${AUTH_REGISTRY}"`);
    }
    const failed = events.filter((e) => e.type === "step.end" && e.status === "failed");
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it("rejects a digest reference as a publish address", async () => {
    const { value: err } = await runIn("docker", await makeStateDir(), () =>
      dag
        .container()
        .from(BUSYBOX)
        .publish(`${REGISTRY}/x@sha256:${"0".repeat(64)}`)
        .catch((e: unknown) => e),
    );
    expect((err as Error).message).toContain("digest reference");
  });
});
