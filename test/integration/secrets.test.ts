// Secrets leave no trace: not in logs, events, cache records, committed images, their history, or exports.
import { describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { dag } from "../../src/sdk/index.js";
import { digestHex } from "../../src/store/digest.js";
import { SNAPSHOT_REPO } from "../../src/runtime/docker/exec/exec-container.js";
import { BUSYBOX, docker, makeStateDir, runIn } from "../helpers/test-session.js";

const VALUE = `gantry-secret-${Math.random().toString(36).slice(2)}-value`;

async function grepTree(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    if ((await readFile(p)).includes(needle)) hits.push(p);
  }
  return hits;
}

describe("secrets", () => {
  it("are usable inside the exec but appear nowhere outside it", async () => {
    const state = await makeStateDir();
    const out = await mkdtemp(path.join(os.tmpdir(), "gantry-secret-out-"));
    const secret = dag.setSecret("token", VALUE);
    const ctr = dag
      .container()
      .from(BUSYBOX)
      .withSecretVariable("TOKEN", secret)
      .withMountedSecret("/run/secrets/token", secret)
      .withExec([
        "sh",
        "-c",
        'echo "env=$TOKEN"; echo "file=$(cat /run/secrets/token)"; echo "err=$TOKEN" >&2; test "$TOKEN" = "$(cat /run/secrets/token)" && echo same > /result',
      ]);
    const r = await runIn(
      "docker",
      state,
      async () => {
        const stdout = await ctr.stdout();
        const result = await ctr.file("/result").contents();
        const tar = await ctr.export(path.join(out, "image.tar"));
        return { stdout, result, tar };
      },
      out,
    );
    // the exec really saw the value (both forms equal), but what comes out is masked
    expect(r.value.result).toBe("same\n");
    expect(r.value.stdout).toBe("env=***\nfile=***\n");
    expect(JSON.stringify(r.events)).not.toContain(VALUE);
    expect(JSON.stringify(r.events)).toContain("err=***");
    // cache records, trees, blobs
    expect(await grepTree(state, VALUE)).toEqual([]);
    // the images this run committed (one per exec step, tagged by its digest): config, history
    const images = r.events.flatMap((e) =>
      e.type === "step.start" && e.kind === "exec" && e.digest
        ? [`${SNAPSHOT_REPO}:${digestHex(e.digest)}`]
        : [],
    );
    expect(images).toHaveLength(1);
    for (const tag of images) {
      const inspected = docker(["image", "inspect", tag]);
      expect(inspected).toContain(`"${tag}"`);
      expect(inspected).not.toContain(VALUE);
      expect(docker(["history", "--no-trunc", tag])).not.toContain(VALUE);
    }
    // the exported tarball, unpacked layer by layer
    const unpack = await mkdtemp(path.join(os.tmpdir(), "gantry-secret-tar-"));
    execFileSync("tar", ["-xf", r.value.tar, "-C", unpack]);
    for (const f of await readdir(unpack, { recursive: true })) {
      if (String(f).endsWith(".tar"))
        execFileSync("tar", ["-xf", path.join(unpack, String(f)), "-C", unpack], {
          stdio: "ignore",
        });
    }
    expect(await grepTree(unpack, VALUE)).toEqual([]);
    expect(execFileSync("ls", [unpack]).toString()).not.toBe("");
  });

  it("give a cache key that changes with the value but does not contain it", async () => {
    const state = await makeStateDir();
    const mk = (v: string) =>
      dag
        .container()
        .from(BUSYBOX)
        .withSecretVariable("S", dag.setSecret("s", v))
        .withExec(["sh", "-c", "echo ${#S}"]);
    const a = await runIn("docker", state, () => mk(VALUE).stdout());
    const b = await runIn("docker", state, () => mk(VALUE + "x").stdout());
    expect(a.value.trim()).toBe(String(VALUE.length));
    expect(b.value.trim()).toBe(String(VALUE.length + 1));
    const digests = [...a.events, ...b.events].flatMap((e) =>
      e.type === "step.start" && e.digest ? [e.digest] : [],
    );
    expect(new Set(digests).size).toBe(2);
  });
  it("a mounted secret gets the owner asked for, a name looked up in the image (docker)", async () => {
    const secret = dag.setSecret("owned", VALUE);
    const r = await runIn("docker", await makeStateDir(), () =>
      dag
        .container()
        .from(BUSYBOX)
        .withMountedSecret("/run/secrets/owned", secret, { owner: "nobody" })
        .withMountedSecret("/run/secrets/numeric", secret, { owner: "1234:4321", mode: 0o440 })
        .withUser("nobody")
        .withExec([
          "sh",
          "-c",
          'stat -c "%u:%g %a" /run/secrets/owned /run/secrets/numeric && cat /run/secrets/owned >/dev/null && echo readable',
        ])
        .stdout(),
    );
    // 0400 and owned by nobody: the step, running as nobody, can read it
    expect(r.value).toBe("65534:65534 400\n1234:4321 440\nreadable\n");
  });
});
