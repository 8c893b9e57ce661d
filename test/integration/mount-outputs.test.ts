// Mounted directories and files behave as in Dagger, on both runtimes: an exec's writes into a writable mount
// carry forward to later execs and to directory()/file(), which look inside mounts; the outputs are cached.
import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dag, ReturnType } from "../../src/sdk/index.js";
import { BUSYBOX, executed, makeStateDir, runIn } from "../helpers/test-session.js";

async function sourceDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-mounts-"));
  await writeFile(path.join(dir, "a.txt"), "alpha\n");
  await writeFile(path.join(dir, "b.txt"), "beta\n");
  return dir;
}

// A module's `build` as Dagger users write it: the build writes dist/ into its mounted source.
function build(dir: string) {
  return dag
    .container()
    .from(BUSYBOX)
    .withMountedDirectory("/src", dag.host().directory(dir))
    .withWorkdir("/src")
    .withExec(["sh", "-c", "mkdir -p dist && cat a.txt b.txt > dist/bundle.txt"]);
}

describe.each(["docker", "host"] as const)("mounts carry writes (%s)", (runtime) => {
  it("a build's writes into its mounted source reach later execs, directory() and file()", async () => {
    const dir = await sourceDir();
    const { value } = await runIn(runtime, await makeStateDir(), async () => {
      const built = build(dir);
      return Promise.all([
        built.directory("/src").entries(),
        built.directory("dist").entries(),
        built.file("/src/dist/bundle.txt").contents(),
        built.withExec(["cat", "/src/dist/bundle.txt"]).stdout(),
        built.mounts(),
      ]);
    });
    expect(value).toEqual([
      ["a.txt", "b.txt", "dist"],
      ["bundle.txt"],
      "alpha\nbeta\n",
      "alpha\nbeta\n",
      ["/src"],
    ]);
  });

  it("directory() of a mounted path with no exec gives the mount (Dagger's documented mount example)", async () => {
    const dir = await sourceDir();
    const { value } = await runIn(runtime, await makeStateDir(), () =>
      dag
        .container()
        .from(BUSYBOX)
        .withMountedDirectory("/src", dag.host().directory(dir))
        .directory("/src")
        .entries(),
    );
    expect(value).toEqual(["a.txt", "b.txt"]);
  });

  it("the chain that listed an empty mount point with exit 0 lists the mount's files", async () => {
    const dir = await sourceDir();
    const { value } = await runIn(runtime, await makeStateDir(), async () => {
      const c = dag
        .container()
        .from(BUSYBOX)
        .withMountedDirectory("/src", dag.host().directory(dir))
        .withExec(["true"]);
      return [await c.exitCode(), await c.directory("/src").entries()];
    });
    expect(value).toEqual([0, ["a.txt", "b.txt"]]);
  });

  it("a second run takes the exec and its mount's output from cache", async () => {
    const dir = await sourceDir();
    const state = await makeStateDir();
    const read = () => build(dir).file("/src/dist/bundle.txt").contents();
    const first = await runIn(runtime, state, read);
    expect(executed(first.events)).toHaveLength(1);
    const second = await runIn(runtime, state, read);
    expect(executed(second.events)).toEqual([]);
    expect(second.value).toBe("alpha\nbeta\n");
    // A later step built on the cached one still sees what it wrote into the mount.
    const third = await runIn(runtime, state, () =>
      build(dir).withExec(["wc", "-c", "dist/bundle.txt"]).stdout(),
    );
    expect(third.value.trim()).toBe("11 dist/bundle.txt");
    expect(executed(third.events)).toHaveLength(1);
  });

  it("a changed mount output re-runs the steps that read it", async () => {
    const state = await makeStateDir();
    const chain = (word: string) =>
      dag
        .container()
        .from(BUSYBOX)
        .withMountedDirectory("/m", dag.directory())
        .withExec(["sh", "-c", `echo ${word} > /m/w`])
        .withExec(["cat", "/m/w"])
        .stdout();
    expect((await runIn(runtime, state, () => chain("one"))).value).toBe("one\n");
    const again = await runIn(runtime, state, () => chain("two"));
    expect(again.value).toBe("two\n");
    expect(executed(again.events)).toHaveLength(2);
  });

  it("withNewFile below a mounted directory writes into the mount", async () => {
    const dir = await sourceDir();
    const { value } = await runIn(runtime, await makeStateDir(), async () => {
      const c = dag
        .container()
        .from(BUSYBOX)
        .withMountedDirectory("/src", dag.host().directory(dir))
        .withNewFile("/src/new.txt", "fresh\n");
      return Promise.all([
        c.directory("/src").entries(),
        c.withExec(["cat", "/src/new.txt"]).stdout(),
        // Replacing the mount drops what was written into the old one, as in Dagger.
        c.withMountedDirectory("/src", dag.directory()).directory("/src").entries(),
      ]);
    });
    expect(value).toEqual([["a.txt", "b.txt", "new.txt"], "fresh\n", []]);
  });

  it("a mounted file's rewrite carries forward", async () => {
    const { value } = await runIn(runtime, await makeStateDir(), async () => {
      const cfg = dag.directory().withNewFile("cfg", "one\n").file("cfg");
      const c = dag
        .container()
        .from(BUSYBOX)
        .withMountedFile("/app/app.cfg", cfg)
        .withExec(["sh", "-c", "echo two >> /app/app.cfg"]);
      return Promise.all([
        c.file("/app/app.cfg").contents(),
        c.withExec(["cat", "/app/app.cfg"]).stdout(),
      ]);
    });
    expect(value).toEqual(["one\ntwo\n", "one\ntwo\n"]);
  });

  it("a cache mount inside a mounted directory stays out of the directory's output", async () => {
    const dir = await sourceDir();
    const cache = `gantry-test-nested-${runtime}`;
    const { value } = await runIn(runtime, await makeStateDir(), async () => {
      const c = dag
        .container()
        .from(BUSYBOX)
        .withMountedDirectory("/src", dag.host().directory(dir))
        .withMountedCache("/src/deps", dag.cacheVolume(cache))
        .withExec(["sh", "-c", "echo dep > /src/deps/x && echo out > /src/out.txt"]);
      return c.directory("/src").entries();
    });
    expect(value).toEqual(["a.txt", "b.txt", "out.txt"]);
  });

  it("a read-only mount keeps its source and refuses writes", async () => {
    const dir = await sourceDir();
    const { value } = await runIn(runtime, await makeStateDir(), async () => {
      const c = dag
        .container()
        .from(BUSYBOX)
        .withMountedDirectory("/src", dag.host().directory(dir), { readOnly: true })
        .withExec(["sh", "-c", "echo x > /src/x"], { expect: ReturnType.Any });
      return [await c.exitCode(), await c.directory("/src").entries()];
    });
    expect(value[0]).not.toBe(0);
    expect(value[1]).toEqual(["a.txt", "b.txt"]);
  });

  it("reading from a cache or tmpfs mount says why it cannot", async () => {
    await runIn(runtime, await makeStateDir(), async () => {
      const c = dag
        .container()
        .from(BUSYBOX)
        .withMountedCache("/cache", dag.cacheVolume(`gantry-test-refuse-${runtime}`))
        .withMountedTemp("/scratch")
        .withExec(["true"]);
      await expect(c.directory("/cache").entries()).rejects.toThrow(
        /cannot read \/cache from the container: \/cache is a cache volume mount/,
      );
      await expect(c.file("/scratch/x").contents()).rejects.toThrow(
        /cannot read \/scratch\/x from the container: \/scratch is a tmpfs mount/,
      );
    });
  });

  it("writing or removing below a cache or tmpfs mount is refused, naming the path and the mount", async () => {
    await runIn(runtime, await makeStateDir(), async () => {
      const c = dag
        .container()
        .from(BUSYBOX)
        .withMountedCache("/cache", dag.cacheVolume(`gantry-test-refuse-w-${runtime}`))
        .withMountedTemp("/scratch");
      await expect(c.withNewFile("/cache/x", "1").withExec(["true"]).sync()).rejects.toThrow(
        /cannot write \/cache\/x: \/cache is a cache volume mount/,
      );
      await expect(c.withoutFile("/scratch/y").withExec(["true"]).sync()).rejects.toThrow(
        /cannot remove \/scratch\/y: \/scratch is a tmpfs mount/,
      );
      // beside the mount is fine
      expect(await c.withNewFile("/cachex/x", "1").withExec(["cat", "/cachex/x"]).stdout()).toBe(
        "1",
      );
    });
  });

  it("a relative mount target is resolved against the workdir in force when it was mounted", async () => {
    const dir = await sourceDir();
    const { value } = await runIn(runtime, await makeStateDir(), () =>
      dag
        .container()
        .from(BUSYBOX)
        .withWorkdir("/a")
        .withMountedDirectory("src", dag.host().directory(dir))
        .withWorkdir("/b")
        .withExec(["ls", "/a/src"])
        .stdout(),
    );
    expect(value).toBe("a.txt\nb.txt\n");
  });
});
