// The engine on a real Docker engine: caching, parallelism, failures as values, cache-miss explanations.
import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dag, ExecError, ReturnType } from "../../src/sdk/index.js";
import { BUSYBOX, executed, makeStateDir, runIn } from "../helpers/test-session.js";

async function project(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-proj-"));
  await mkdir(path.join(dir, "src"));
  for (let i = 0; i < 20; i++) await writeFile(path.join(dir, "src", `f${i}.txt`), `file ${i}\n`);
  return dir;
}

function pipeline(dir: string) {
  const src = dag.host().directory(dir);
  const base = dag.container().from(BUSYBOX).withDirectory("/proj", src).withWorkdir("/proj/src");
  return Promise.all([
    base.withExec(["sh", "-c", "ls | wc -l"]).stdout(),
    base.withExec(["sh", "-c", "cat f1.txt f2.txt"]).stdout(),
    base
      .withExec(["sh", "-c", "mkdir -p /out && cat *.txt > /out/all"])
      .file("/out/all")
      .contents(),
  ]);
}

describe("engine on docker", () => {
  it("serves a second run entirely from cache and runs nothing", async () => {
    const dir = await project();
    const state = await makeStateDir();
    const first = await runIn("docker", state, () => pipeline(dir));
    expect(first.value[0].trim()).toBe("20");
    expect(first.value[1]).toBe("file 1\nfile 2\n");
    expect(executed(first.events)).toHaveLength(3);
    const second = await runIn("docker", state, () => pipeline(dir));
    expect(second.value).toEqual(first.value);
    expect(executed(second.events)).toEqual([]);
    const cached = second.events.filter((e) => e.type === "step.end" && e.status === "cached");
    expect(cached.length).toBeGreaterThanOrEqual(3);
  });

  it("explains a cache miss by naming the changed file", async () => {
    const dir = await project();
    const state = await makeStateDir();
    await runIn("docker", state, () => pipeline(dir));
    await writeFile(path.join(dir, "src", "f3.txt"), "changed\n");
    const again = await runIn("docker", state, () => pipeline(dir));
    const misses = again.events.flatMap((e) => (e.type === "step.end" && e.miss ? [e.miss] : []));
    expect(misses.length).toBe(3);
    for (const m of misses) expect(m).toContain("src/f3.txt");
  });

  it("runs independent steps in parallel: each sees the other two running", async () => {
    // No wall-clock threshold (a busy machine moves it): each step marks itself started in a shared
    // cache volume and waits until all three have; run one after another, the first would time out.
    const state = await makeStateDir();
    const nonce = String(Date.now());
    const base = dag
      .container()
      .from(BUSYBOX)
      .withEnvVariable("NONCE", nonce)
      .withMountedCache("/meet", dag.cacheVolume(`meet-${nonce}`));
    const wait = `for t in $(seq 600); do [ $(ls /meet | wc -l) -ge 3 ] && exit 0; sleep 0.1; done; echo alone >&2; exit 1`;
    const { value: out } = await runIn("docker", state, () =>
      Promise.all(
        [1, 2, 3].map((i) =>
          base
            .withExec(["sh", "-c", `touch /meet/${i}; ${wait}`])
            .withExec(["echo", `${i}`])
            .stdout(),
        ),
      ),
    );
    expect(out.map((o) => o.trim())).toEqual(["1", "2", "3"]);
  });

  it("rejects a failing step with ExecError carrying the exit code and stderr", async () => {
    const state = await makeStateDir();
    const err = await runIn("docker", state, () =>
      dag
        .container()
        .from(BUSYBOX)
        .withExec(["sh", "-c", "echo out; echo boom >&2; exit 3"])
        .sync(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    const e = err as ExecError;
    expect(e.exitCode).toBe(3);
    expect(e.stderr).toContain("boom");
    expect(e.stdout).toContain("out");
    expect(e.cmd).toEqual(["sh", "-c", "echo out; echo boom >&2; exit 3"]);
  });

  it("reads a failing exit code with expect: ANY, and never caches the failure", async () => {
    const state = await makeStateDir();
    const ctr = dag
      .container()
      .from(BUSYBOX)
      .withExec(["sh", "-c", "exit 7"], { expect: ReturnType.Any });
    const a = await runIn("docker", state, () => ctr.exitCode());
    expect(a.value).toBe(7);
    const b = await runIn("docker", state, () => ctr.exitCode());
    expect(b.value).toBe(7);
    expect(executed(b.events)).toHaveLength(1);
  });

  it("runs identical steps requested at once only once", async () => {
    const state = await makeStateDir();
    const nonce = String(Math.random());
    const mk = () => dag.container().from(BUSYBOX).withExec(["echo", nonce]);
    const r = await runIn("docker", state, () =>
      Promise.all([mk().stdout(), mk().stdout(), mk().stdout()]),
    );
    expect(r.value).toEqual([`${nonce}\n`, `${nonce}\n`, `${nonce}\n`]);
    expect(executed(r.events)).toHaveLength(1);
  });

  it("keeps config-only operations and file operations out of extra containers", async () => {
    const state = await makeStateDir();
    const r = await runIn("docker", state, () =>
      dag
        .container()
        .from(BUSYBOX)
        .withEnvVariable("A", "1")
        .withWorkdir("/w")
        .withLabel("l", "v")
        .withNewFile("/w/x", "x-contents")
        .withDirectory("/w/d", dag.directory().withNewFile("y", "y"))
        .withExec(["sh", "-c", "echo $A; pwd; cat x d/y"])
        .stdout(),
    );
    expect(r.value).toBe("1\n/w\nx-contentsy");
    expect(executed(r.events)).toHaveLength(1);
  });

  it("persists cache volumes across runs, outside any cache key", async () => {
    const state = await makeStateDir();
    const vol = dag.cacheVolume(`test-${Date.now()}`);
    await runIn("docker", state, () =>
      dag
        .container()
        .from(BUSYBOX)
        .withMountedCache("/c", vol)
        .withExec(["sh", "-c", "echo kept > /c/f"])
        .sync(),
    );
    const r = await runIn("docker", state, () =>
      dag.container().from(BUSYBOX).withMountedCache("/c", vol).withExec(["cat", "/c/f"]).stdout(),
    );
    expect(r.value).toBe("kept\n");
  });

  it("round-trips directories: container output to host export", async () => {
    const state = await makeStateDir();
    const out = await mkdtemp(path.join(os.tmpdir(), "gantry-out-"));
    await runIn(
      "docker",
      state,
      () =>
        dag
          .container()
          .from(BUSYBOX)
          .withExec(["sh", "-c", "mkdir -p /dist/sub && echo a > /dist/a && echo b > /dist/sub/b"])
          .directory("/dist")
          .export("dist"),
      out,
    );
    const entries = await runIn("docker", state, () =>
      dag.host().directory(path.join(out, "dist")).entries(),
    );
    expect(entries.value).toEqual(["a", "sub"]);
  });
});
