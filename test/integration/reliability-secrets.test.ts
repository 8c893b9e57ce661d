// Red team: one secret (and a multi-line one) pushed through every channel Gantry has, in every form a step or
// a module may print it — plain, from its mounted file, base64, URL-encoded, each line of a multi-line secret,
// split across two writes, on stderr, in a failing step's error, in the module's own console and errors. None
// of the forms may appear in stdout, stderr, JSON events, run records, the state dir (cache records, trees,
// blobs), the images the steps committed (config, history, layers), the exported tarball, or `docker inspect`
// of the containers the run created.
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, gantryCli, reliabilityWork } from "../helpers/reliability-fixture.js";
import { docker } from "../helpers/test-session.js";
import { SNAPSHOT_REPO } from "../../src/runtime/docker/exec/exec-container.js";
import { digestHex } from "../../src/store/digest.js";
import { leaks, leaksUnder, secretEnv, secretFlags } from "../helpers/red-team-secret.js";

const { work, mod } = reliabilityWork();
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const env = secretEnv;

// Run `red-team` with the JSON progress, and `docker inspect` every container of the run while it lingers.
async function runAndInspect(state: string) {
  const child = spawn(
    "node",
    [BIN, "call", "-m", mod, "--progress=json", "red-team", ...secretFlags, "--linger=6", "stdout"],
    { env: { ...process.env, CI: "true", GANTRY_STATE_DIR: state, ...env }, stdio: "pipe" },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((r) => child.on("close", r));
  const inspected: string[] = [];
  let exited = false;
  void closed.then(() => (exited = true));
  while (!exited && inspected.length === 0) {
    await new Promise((r) => setTimeout(r, 300));
    if (!stderr.includes("split=***")) continue;
    const ids = docker(["ps", "-aq", "--filter", `label=gantry.pid=${child.pid}`]).trim();
    if (ids === "") continue;
    for (const id of ids.split("\n")) {
      const c = docker(["inspect", id]);
      inspected.push(c, docker(["image", "inspect", JSON.parse(c)[0].Image as string]));
    }
  }
  return { status: await closed, stdout, stderr, inspected };
}

describe("secrets, red team", () => {
  it("no form of a secret leaves through any channel", async () => {
    const state = path.join(work, "state");
    const found: Record<string, string[]> = {};
    const note = (channel: string, forms: string[]) => {
      if (forms.length > 0) found[channel] = forms;
    };

    const a = await runAndInspect(state);
    expect(a.status, a.stderr).toBe(0);
    // the step really printed every form (they come out masked)
    // (the two-line secret is one mask in the whole output, two in the line-by-line log)
    expect(a.stdout).toBe("plain=***\nfile=***\nb64=***\nurl=***\n***\nsplit=***\n");
    note("stdout", leaks(a.stdout));
    note("JSON events (stderr)", leaks(a.stderr));
    expect(a.inspected.length).toBeGreaterThanOrEqual(2);
    note("docker inspect of the run's containers and their images", leaks(a.inspected.join("\n")));

    // the container exported as an image tarball, every layer unpacked
    const tar = path.join(work, "image.tar");
    const b = await gantryCli(
      ["call", "-m", mod, "--progress=json", "red-team", ...secretFlags, "export", `--path=${tar}`],
      { GANTRY_STATE_DIR: state, ...env },
    );
    expect(b.status, b.out).toBe(0);
    note("export output", leaks(b.out));
    const unpack = await mkdtemp(path.join(os.tmpdir(), "gantry-rt-tar-"));
    execFileSync("tar", ["-xf", tar, "-C", unpack]);
    for (const f of await readdir(unpack, { recursive: true })) {
      if (String(f).endsWith(".tar") || String(f).includes("blobs/sha256/"))
        execFileSync("tar", ["-xf", path.join(unpack, String(f)), "-C", unpack], {
          stdio: "ignore",
        });
    }
    note("exported tarball", await leaksUnder(unpack));
    await rm(unpack, { recursive: true, force: true });

    // the images the exec steps committed, config and history. The first run used its step's output alone, so that
    // step was never committed (performance.md, Decision 10): no image, nothing to leak. The export read its step's
    // filesystem, so that one must have an image (a missing one fails here).
    const execDigests = (stderr: string) =>
      stderr
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { type: string; kind?: string; digest?: string })
        .flatMap((e) =>
          e.type === "step.start" && e.kind === "exec" && e.digest ? [e.digest] : [],
        );
    const committed = execDigests(b.stderr);
    expect(committed.length).toBeGreaterThan(0);
    const imageExists = (tag: string) => {
      try {
        execFileSync("docker", ["image", "inspect", tag], { stdio: "pipe" });
        return true;
      } catch {
        return false;
      }
    };
    for (const d of new Set([...execDigests(a.stderr), ...committed])) {
      const tag = `${SNAPSHOT_REPO}:${digestHex(d)}`;
      if (!committed.includes(d) && !imageExists(tag)) continue;
      note(`image ${tag}`, leaks(docker(["image", "inspect", tag])));
      note(`history of ${tag}`, leaks(docker(["history", "--no-trunc", tag])));
    }

    // a failing step: its output reaches the error message
    const c = await gantryCli(["call", "-m", mod, "red-team-fail", ...secretFlags], {
      GANTRY_STATE_DIR: state,
      ...env,
    });
    expect(c.status).toBe(1);
    expect(c.stderr).toContain("plain=***");
    note("error of a failing step", leaks(c.out));

    // the module's own code: console output and a thrown error holding the plaintext
    const d = await gantryCli(["call", "-m", mod, "red-team-throw", "--token=env:RT_TOKEN"], {
      GANTRY_STATE_DIR: state,
      ...env,
    });
    expect(d.status).toBe(1);
    expect(d.out).toContain("console=***");
    expect(d.stderr).toContain("the token *** was refused (url=***)");
    note("module console and thrown error", leaks(d.out));

    // run records (traces), cache records, trees, blobs, bundles: the whole state dir
    note("state dir", await leaksUnder(state));

    expect(found).toEqual({});
  });
});
