// Container.build / Directory.dockerBuild end to end on docker: build args, targets, .dockerignore, failures, the cache.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../src/engine/images/index.js";
import { digestHex } from "../../src/store/digest.js";
import type { RunEvent } from "../../src/engine/events.js";
import { dag, ImageError, UnsupportedError } from "../../src/sdk/index.js";
import {
  BUSYBOX,
  docker,
  executed,
  makeStateDir,
  runCommand,
  runIn,
} from "../helpers/test-session.js";

const DOCKERFILE = `
FROM ${BUSYBOX} AS base
ARG FLAVOUR=plain
RUN echo "flavour: $FLAVOUR" && echo "$FLAVOUR" > /flavour

FROM base AS app
COPY . /ctx/
CMD ["cat", "/flavour"]

FROM base AS debug
RUN echo debug > /debug
`;

const DOCKERIGNORE = `
# build outputs and secrets stay out of the context
secret.txt
logs/
*.tmp
!keep.tmp
Dockerfile
.dockerignore
`;

// A project directory with a Dockerfile, a .dockerignore and files on both sides of it.
async function project(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-build-ctx-"));
  const all: Record<string, string> = {
    Dockerfile: DOCKERFILE,
    ".dockerignore": DOCKERIGNORE,
    "app.txt": "app\n",
    "secret.txt": "do not ship\n",
    "logs/run.log": "log\n",
    "x.tmp": "tmp\n",
    "keep.tmp": "kept\n",
    "nested/deep.tmp": "nested tmp is not matched by *.tmp\n",
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

const sha256 = (t: string): string => createHash("sha256").update(t).digest("hex");

// The build steps of a run and how each ended.
function buildSteps(events: RunEvent[]): { name: string; status?: string; error?: string }[] {
  const steps = new Map<string, { name: string; status?: string; error?: string }>();
  for (const e of events) {
    if (e.type === "step.start" && e.kind === "build") steps.set(e.id, { name: e.name });
    if (e.type === "step.end" && steps.has(e.id))
      Object.assign(steps.get(e.id)!, { status: e.status, error: e.error });
  }
  return [...steps.values()];
}

// Build the app stage of `dir` and read what it holds.
function buildAndInspect(dir: string, flavour: string) {
  const ctr = dag.container().build(dag.host().directory(dir), {
    buildArgs: [{ name: "FLAVOUR", value: flavour }],
    target: "app",
  });
  return Promise.all([
    ctr.withExec(["echo", "ok"]).stdout(),
    ctr
      .withExec(["sh", "-c", "cat /flavour; cd /ctx && find . | sort; ls /debug 2>&1 || true"])
      .stdout(),
    ctr.defaultArgs(),
  ]);
}

describe("Container.build", () => {
  it("builds the target stage with build args, and the context honours .dockerignore", async () => {
    // Unique, so the engine's own layer cache cannot skip the RUN whose output the step log must show.
    const flavour = `spicy-${Date.now()}`;
    const dir = await project();
    const { value, events } = await runIn("docker", await makeStateDir(), () =>
      buildAndInspect(dir, flavour),
    );
    const [ok, listing, defaultArgs] = value;
    expect(ok).toBe("ok\n");
    const lines = listing.trim().split("\n");
    expect(lines[0]).toBe(flavour);
    expect(lines).toEqual(expect.arrayContaining(["./app.txt", "./keep.tmp", "./nested/deep.tmp"]));
    // Listed in .dockerignore, the Dockerfile and .dockerignore reach the builder but not COPY (as with docker build).
    for (const ignored of [
      "./secret.txt",
      "./logs",
      "./logs/run.log",
      "./x.tmp",
      "./Dockerfile",
      "./.dockerignore",
    ]) {
      expect(lines).not.toContain(ignored);
    }
    expect(listing).toMatch(/No such file/); // the debug stage was not the target
    expect(defaultArgs).toEqual(["cat", "/flavour"]);
    expect(buildSteps(events)).toEqual([
      {
        name: `docker build ${dir}: Dockerfile --target app`,
        status: "done",
        error: undefined,
      },
    ]);
    const logs = events
      .filter((e) => e.type === "step.log")
      .map((e) => (e.type === "step.log" ? e.text : ""));
    expect(logs.join("")).toContain(`flavour: ${flavour}`);
  });

  it("keeps the Dockerfile and .dockerignore in the context when the ignore file does not list them", async () => {
    const dir = await project({ ".dockerignore": "secret.txt\n" });
    const { value } = await runIn("docker", await makeStateDir(), () =>
      buildAndInspect(dir, "plain"),
    );
    const lines = value[1].trim().split("\n");
    expect(lines).toEqual(
      expect.arrayContaining(["./Dockerfile", "./.dockerignore", "./x.tmp", "./logs/run.log"]),
    );
    expect(lines).not.toContain("./secret.txt");
  });

  it("builds nothing in a second run with nothing changed, even when an ignored file changed", async () => {
    const dir = await project();
    const state = await makeStateDir();
    const first = await runIn("docker", state, () => buildAndInspect(dir, "mild"));
    expect(buildSteps(first.events).map((s) => s.status)).toEqual(["done"]);
    await writeFile(path.join(dir, "secret.txt"), "changed, but ignored\n");
    const second = await runIn("docker", state, () => buildAndInspect(dir, "mild"));
    expect(second.value).toEqual(first.value);
    expect(buildSteps(second.events).map((s) => s.status)).toEqual(["cached"]);
    expect(executed(second.events)).toEqual([]);
    await writeFile(path.join(dir, "app.txt"), "app, changed\n");
    const third = await runIn("docker", state, () => buildAndInspect(dir, "mild"));
    expect(buildSteps(third.events).map((s) => s.status)).toEqual(["done"]);
  });

  it("reports a failing RUN with its instruction and output, as an ImageError and on the step", async () => {
    const dir = await project({
      Dockerfile: `FROM ${BUSYBOX}\nRUN echo "tests: 3 failed" && exit 2\n`,
    });
    const { value: err, events } = await runIn("docker", await makeStateDir(), () =>
      dag
        .directory()
        .withDirectory("/", dag.host().directory(dir))
        .dockerBuild()
        .withExec(["echo", "ok"])
        .sync()
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ImageError);
    const message = (err as Error).message;
    expect(message).toMatch(/Step 2\/\d+ : RUN echo "tests: 3 failed" && exit 2/);
    expect(message).toContain("tests: 3 failed");
    expect(message).toContain("returned a non-zero code: 2");
    const [step] = buildSteps(events);
    expect(step?.status).toBe("failed");
    expect(step?.error).toContain("tests: 3 failed");
  });

  it("passes build secrets to RUN --mount=type=secret through BuildKit, keeping them out of the image and the logs", async () => {
    const value = `s3cr3t-${Date.now()}`;
    const dir = await project({
      Dockerfile: [
        `FROM ${BUSYBOX}`,
        `RUN --mount=type=secret,id=npm-token echo "${sha256(value)}  /run/secrets/npm-token" | sha256sum -c && echo "token has $(wc -c < /run/secrets/npm-token) bytes" && cat /run/secrets/npm-token`,
        "RUN ls /run/secrets 2>&1 | wc -l > /secret-files",
        "",
      ].join("\n"),
      ".dockerignore": "",
    });
    const state = await makeStateDir();
    const build = () =>
      dag
        .container()
        .build(dag.host().directory(dir), { secrets: [dag.setSecret("npm-token", value)] });
    const first = await runIn("docker", state, async () => {
      const ctr = build();
      await ctr.withExec(["echo", "ok"]).sync();
      return ctr.withExec(["sh", "-c", "cat /secret-files; ls /run/secrets 2>&1 || true"]).stdout();
    });
    // nothing of the secret mount is left in the image
    expect(first.value).toMatch(/^0\n/);
    const [step] = buildSteps(first.events);
    expect(step?.status).toBe("done");
    const logs = first.events.map((e) => (e.type === "step.log" ? e.text : "")).join("");
    expect(logs).toContain(`token has ${value.length} bytes`);
    expect(logs).toContain("RUN --mount=type=secret,id=npm-token");
    expect(logs).toMatch(/^#\d+ \*\*\*$/m); // the `cat` of the secret, masked
    expect(JSON.stringify(first.events)).not.toContain(value);
    const digest = first.events.find((e) => e.type === "step.start" && e.kind === "build");
    const tag = `gantry-build:${digestHex(digest?.type === "step.start" ? (digest.digest ?? "") : "")}`;
    expect(docker(["history", "--no-trunc", tag])).toContain("/secret-files");
    expect(docker(["image", "inspect", tag])).not.toContain(value);
    expect(docker(["history", "--no-trunc", tag])).not.toContain(value);
    const saved = await runCommand("sh", [
      "-c",
      `docker save ${tag} | grep -ac -- '${value}' || true`,
    ]);
    expect(saved.stdout.trim()).toBe("0");
    // the same build with the same secret comes from cache in the next run
    const second = await runIn("docker", state, () => build().sync());
    expect(buildSteps(second.events).map((s) => s.status)).toEqual(["cached"]);
  });

  it("reports a failing RUN of a BuildKit build with its instruction and output", async () => {
    const dir = await project({
      Dockerfile: `FROM ${BUSYBOX}\nRUN --mount=type=secret,id=tok echo "deploy check: 2 failed" && cat /run/secrets/tok && exit 4\n`,
      ".dockerignore": "",
    });
    const { value: err, events } = await runIn("docker", await makeStateDir(), () =>
      dag
        .container()
        .build(dag.host().directory(dir), { secrets: [dag.setSecret("tok", "t0k-value")] })
        .sync()
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ImageError);
    const message = (err as Error).message;
    expect(message).toContain(
      'RUN --mount=type=secret,id=tok echo "deploy check: 2 failed" && cat /run/secrets/tok && exit 4',
    );
    // the failing step printed the secret: the error shows it masked
    expect(message).toContain("  ***");
    expect(message).not.toContain("t0k-value");
    expect((err as Error).stack).not.toContain("t0k-value");
    expect(message).toContain("deploy check: 2 failed");
    expect(message).toContain("exit code: 4");
    const [step] = buildSteps(events);
    expect(step?.status).toBe("failed");
  });

  it("says the host runtime cannot build images", async () => {
    const dir = await project();
    const { value: err } = await runIn("host", await makeStateDir(), () =>
      dag
        .container()
        .build(dag.host().directory(dir))
        .sync()
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toBe(
      "image builds need the docker runtime: run with --runtime=docker",
    );
  });

  it("tags what it built gantry-build:<digest>, so the engine keeps it", async () => {
    const dir = await project({ "app.txt": `unique ${Date.now()}\n` });
    const { events } = await runIn("docker", await makeStateDir(), () =>
      buildAndInspect(dir, "tagged"),
    );
    // This build's own tag (its step's digest), not any gantry-build image another run left behind.
    const builds = events.flatMap((e) =>
      e.type === "step.start" && e.kind === "build" && e.digest ? [e.digest] : [],
    );
    expect(builds).toHaveLength(1);
    const tag = `gantry-build:${digestHex(builds[0]!)}`;
    expect(tag).toMatch(/^gantry-build:[0-9a-f]{64}$/);
    const tags = docker(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "gantry-build"]);
    expect(tags.split("\n")).toContain(tag);
    expect(docker(["image", "inspect", "--format", "{{.Id}}", tag]).trim()).toMatch(
      /^sha256:[0-9a-f]{64}$/,
    );
  });
});
