// Execs through the engine's BuildKit (experimental, DockerRuntimeOptions.buildkitExec): the real engine, no mocks.
// Each exec can tell where it ran: BuildKit's execs see the shim's scratch mount at /dev/.gantry-exec.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defaultExecSpec,
  snapshotOf,
  useDockerRuntimeFixture,
} from "../helpers/docker-runtime-fixture.js";
import Dockerode from "dockerode";
import { CancelledError, RuntimeUnavailableError } from "../../src/errors.js";
import { DockerRuntime } from "../../src/runtime/docker/docker-runtime.js";
import { startEngineProxy } from "../helpers/engine-proxy.js";
import type { ExecSpec, ResolvedImage } from "../../src/runtime/runtime.js";
import type { Tree, TreeEntry } from "../../src/store/tree.js";
import { BUSYBOX, makeStateDir, runCommand } from "../helpers/test-session.js";
import { shimFile } from "../../src/runtime/docker/buildkit/shim-file.js";
import { BASE_REPO, baseTag, tagRecordPath } from "../../src/runtime/docker/cleanup/base-tags.js";
import { reapStale } from "../../src/runtime/docker/cleanup/reaper.js";

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, "../../bin/gantry.js");
const never = new AbortController().signal;
const WHERE = "if [ -d /dev/.gantry-exec ]; then echo buildkit; else echo container; fi";

const fx = useDockerRuntimeFixture("bk");
let busybox: ResolvedImage;

beforeAll(async () => {
  busybox = await fx.newRuntime().resolveImage(BUSYBOX, never);
});

const newRuntime = () => fx.newRuntime({ buildkitExec: true });

function spec(args: string[], more: Partial<ExecSpec> = {}): ExecSpec {
  const base = defaultExecSpec(busybox, args, `bk ${args.join(" ")}`);
  fx.removeImageAfter(`gantry-cache:${base.digest.slice(7)}`);
  return { ...base, ...more };
}

const { fileEntry } = fx;

const pickOutcome = (o: { exitCode: number; stdout: string; stderr: string }) => ({
  exitCode: o.exitCode,
  stdout: o.stdout,
  stderr: o.stderr,
});

// busybox with Dockerfile-style config changes (docker commit --change), removed after the file; its id.
async function derivedImage(changes: string[]): Promise<string> {
  const ref = `gantry-test/bk-derived:${randomBytes(6).toString("hex")}`;
  const { stdout: id } = await run("docker", ["create", BUSYBOX, "true"]);
  try {
    await run("docker", ["commit", ...changes.flatMap((c) => ["--change", c]), id.trim(), ref]);
  } finally {
    await run("docker", ["rm", "-f", id.trim()]);
  }
  fx.removeImageAfter(ref);
  return (await fx.newRuntime().resolveImage(ref, never)).id;
}

// fx.tree's files, run.sh executable, and a symlink at "link".
async function tree(files: Record<string, string>): Promise<Tree> {
  const made = await fx.tree(files);
  const entries: Record<string, TreeEntry> = { ...made.entries };
  if (files["run.sh"] !== undefined) entries["run.sh"] = await fileEntry(files["run.sh"], 0o755);
  entries["link"] = { type: "symlink", target: "a/x.txt" };
  return { entries };
}

describe("BuildKit execs", () => {
  it("run through BuildKit with the exact stdout, stderr and exit code, the env and workdir", async () => {
    const outcome = await newRuntime().exec(
      spec(["sh", "-c", `${WHERE}; echo "$GREETING $(pwd)"; echo err >&2; exit 3`], {
        env: [...busybox.config.env, "GREETING=hi"],
        workdir: "/tmp",
      }),
    );
    expect(outcome).toMatchObject({ exitCode: 3, stdout: "buildkit\nhi /tmp\n", stderr: "err\n" });
  });

  it("returns large output whole (BuildKit's own log stream clips at 200 KiB/s)", async () => {
    const outcome = await newRuntime().exec(
      spec([
        "sh",
        "-c",
        "head -c 600000 /dev/zero | tr '\\0' x; echo; head -c 300000 /dev/zero | tr '\\0' y >&2",
      ]),
    );
    expect(outcome.stdout).toBe("x".repeat(600000) + "\n");
    expect(outcome.stderr).toBe("y".repeat(300000));
  });

  it("runs an exec every time it is asked, never from BuildKit's cache (Gantry's records decide that)", async () => {
    const rt = newRuntime();
    const s = spec(["sh", "-c", `${WHERE}; cat /proc/sys/kernel/random/uuid`]);
    const first = await rt.exec(s);
    const second = await rt.exec({ ...s });
    expect(first.stdout).toMatch(/^buildkit\n[0-9a-f-]{36}\n$/);
    expect(second.stdout).toMatch(/^buildkit\n[0-9a-f-]{36}\n$/);
    expect(second.stdout).not.toBe(first.stdout);
  });

  it("applies puts, a file with a numeric owner and removals, and keeps the filesystem as a tagged image", async () => {
    const rt = newRuntime();
    const s = spec(
      [
        "sh",
        "-c",
        `${WHERE}; cat /src/a/x.txt /src/a-b.txt /src/a.c/y; readlink /src/link; /src/run.sh; stat -c %u:%g /etc/gantry-motd; ` +
          "cat /etc/gantry-motd; ls /home 2>/dev/null || echo no-home; " +
          "cat /proc/sys/kernel/random/uuid | tee /made",
      ],
      {
        ops: [
          {
            op: "put",
            path: "/src",
            tree: await tree({
              "a/x.txt": "X\n",
              // in the engine's walk order, not a string sort's ("a-b.txt" < "a/x.txt" as strings)
              "a-b.txt": "dash\n",
              "a.c/y": "dot\n",
              "run.sh": "#!/bin/sh\necho ran\n",
            }),
          },
          {
            op: "putFile",
            path: "/etc/gantry-motd",
            entry: await fileEntry("motd\n"),
            owner: "1000:1001",
          },
          { op: "rm", path: "/home" },
        ],
      },
    );
    const outcome = await rt.exec(s);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toMatch(
      /^buildkit\nX\ndash\ndot\na\/x.txt\nran\n1000:1001\nmotd\nno-home\n[0-9a-f-]{36}\n$/,
    );
    const snapshot = await snapshotOf(outcome);
    const made = await rt.readFile(snapshot, "/made", never);
    // the kept filesystem is the one the reported output came from, not a second run's
    const uuid = outcome.stdout.split("\n").at(-2)!;
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fx.store.readBlob(made.digest)).toString()).toBe(`${uuid}\n`);
    // the shim's mount point left nothing in the filesystem
    const dev = await rt.readDirectory(snapshot, "/dev", never).catch(() => ({ entries: {} }));
    expect(Object.keys(dev.entries)).not.toContain(".gantry-exec");
    const { stdout } = await run("docker", [
      "image",
      "inspect",
      "--format",
      '{{json .RepoTags}} {{index .Config.Labels "gantry.managed"}} {{json .Config.Cmd}}',
      snapshot,
    ]);
    expect(stdout).toContain(`gantry-cache:${s.digest.slice(7)}`);
    expect(stdout).toContain(" true ");
    expect(stdout).toContain(JSON.stringify(s.args));

    // and the next exec starts from it
    const next = await rt.exec(
      spec(["sh", "-c", `${WHERE}; cat /made /src/a/x.txt`], { base: snapshot }),
    );
    expect(next.stdout).toBe(`buildkit\n${uuid}\nX\n`);
  });

  it("counts what a kept snapshot adds (cache ls, the after-run estimate): over its base, not the whole export", async () => {
    const rt = newRuntime();
    const since = Date.now();
    const big = await rt.exec(spec(["sh", "-c", `${WHERE}; head -c 2000000 /dev/urandom > /big`]));
    expect(big.stdout).toBe("buildkit\n");
    const snapshot = await snapshotOf(big);
    // a container's snapshot on top of it (a tmpfs mount keeps it off BuildKit) inherits its labels
    const child = await rt.exec(
      spec(["sh", "-c", `${WHERE}; head -c 1000000 /dev/urandom > /small`], {
        base: snapshot,
        mounts: [{ kind: "tmp", target: "/scratch" }],
      }),
    );
    expect(child.stdout).toBe("container\n");
    const childSnapshot = await snapshotOf(child);
    const sizes = new Map((await rt.cacheObjects.images()).map((i) => [i.id, i.size]));
    expect(sizes.get(snapshot)).toBeGreaterThanOrEqual(2_000_000);
    expect(sizes.get(snapshot)).toBeLessThan(2_200_000);
    expect(sizes.get(childSnapshot)).toBeGreaterThanOrEqual(1_000_000);
    expect(sizes.get(childSnapshot)).toBeLessThan(1_200_000);
    const added = await rt.cacheObjects.addedBytes([snapshot, childSnapshot], since);
    expect(added).toBeGreaterThanOrEqual(3_000_000);
    expect(added).toBeLessThan(3_400_000);
  });

  it("sends a file whose contents changed but not its size (the engine's incremental copy compares stats)", async () => {
    const rt = newRuntime();
    const read = async (content: string) =>
      (
        await rt.exec(
          spec(["sh", "-c", `${WHERE}; cat /src/same.txt; stat -c %Y /src/same.txt`], {
            ops: [{ op: "put", path: "/src", tree: await tree({ "same.txt": content }) }],
          }),
        )
      ).stdout;
    // the files get Gantry's fixed time (1985-10-26T08:15:00Z), as the container API's puts do
    expect(await read("aaaa")).toBe("buildkit\naaaa499162500\n");
    expect(await read("bbbb")).toBe("buildkit\nbbbb499162500\n");
    expect(await read("aaaa")).toBe("buildkit\naaaa499162500\n");
  });

  it("leaves the image's variables the exec no longer has unset, and takes the image's PATH when it sets none", async () => {
    const rt = newRuntime();
    const first = await rt.exec(spec(["true"], { env: [...busybox.config.env, "FOO=1"] }));
    const second = await rt.exec(
      spec(["sh", "-c", `${WHERE}; echo \${FOO-unset}`], { base: await snapshotOf(first) }),
    );
    expect(second.stdout).toBe("buildkit\nunset\n");
    const custom = await derivedImage(["ENV PATH=/opt/bin:/bin"]);
    const noPath = await rt.exec(
      spec(["sh", "-c", `${WHERE}; echo "$PATH"`], { base: custom, env: [] }),
    );
    expect(noPath.stdout).toBe("buildkit\n/opt/bin:/bin\n");
  });

  it("keeps the base image's config (exposed ports, labels) in a kept snapshot, as a container's commit does", async () => {
    const rt = newRuntime();
    const base = await derivedImage(["EXPOSE 8080", "LABEL base.label=kept"]);
    const s = spec(["sh", "-c", `${WHERE}; true`], { base });
    const outcome = await rt.exec(s);
    expect(outcome.stdout).toBe("buildkit\n");
    const { stdout } = await run("docker", [
      "image",
      "inspect",
      "--format",
      '{{json .Config.ExposedPorts}} {{index .Config.Labels "base.label"}} {{index .Config.Labels "gantry.managed"}}',
      await snapshotOf(outcome),
    ]);
    expect(stdout.trim()).toBe('{"8080/tcp":{}} kept true');
  });

  it("leaves to containers an image that declares a VOLUME and a tmpfs mount", async () => {
    const rt = newRuntime();
    const withVolume = await derivedImage(["VOLUME /data"]);
    expect((await rt.exec(spec(["sh", "-c", WHERE], { base: withVolume }))).stdout).toBe(
      "container\n",
    );
    const tmp = await rt.exec(
      spec(["sh", "-c", `${WHERE}; grep -c ' /scratch tmpfs' /proc/mounts`], {
        mounts: [{ kind: "tmp", target: "/scratch" }],
      }),
    );
    expect(tmp.stdout).toBe("container\n1\n");
  });

  it("runs an image without a shell through BuildKit with the build's shim, and on containers with the shell shim", async () => {
    // busybox's binary alone, on an empty image: `/busybox sh` is its applet, no /bin/sh exists
    const rt = newRuntime();
    const binary = await rt.readFile(busybox.id, "/bin/busybox", never);
    const bare = await rt.applyOps(
      await rt.scratch(),
      [{ op: "putFile", path: "/busybox", entry: { ...binary, mode: 0o755 } }],
      never,
    );
    const args = ["/busybox", "sh", "-c", `${WHERE}; echo no shell needed`];
    expect(await rt.exec(spec(args, { base: bare }))).toMatchObject({
      exitCode: 0,
      stdout: "buildkit\nno shell needed\n",
    });
    const shellShim = fx.newRuntime({ buildkitExec: true, buildkitShim: "shell" });
    expect(await shellShim.exec(spec(args, { base: bare }))).toMatchObject({
      exitCode: 0,
      stdout: "container\nno shell needed\n",
    });
  });

  it("delivers output while the exec runs (the build's shim), the whole of it by the end however loud", async () => {
    // the build made the shim for the engine's architecture (else this would test the shell shim)
    const arch = (await run("docker", ["image", "inspect", "-f", "{{.Architecture}}", BUSYBOX]))
      .stdout;
    expect(shimFile(arch.trim())).toBeDefined();
    const arrivals: { stream: string; chunk: string; at: number }[] = [];
    const onOutput = (stream: string, chunk: string) =>
      arrivals.push({ stream, chunk, at: Date.now() });
    const outcome = await newRuntime().exec(
      spec(["sh", "-c", `${WHERE}; echo first; sleep 2; echo last; echo err >&2`], { onOutput }),
    );
    expect(outcome).toMatchObject({ stdout: "buildkit\nfirst\nlast\n", stderr: "err\n" });
    const first = arrivals.find((a) => a.chunk.includes("first"));
    const last = arrivals.find((a) => a.chunk.includes("last"));
    // "first" came while the command slept: output kept until the end would bring both together
    expect(last!.at - first!.at).toBeGreaterThanOrEqual(1500);
    const joined = (stream: string) =>
      arrivals
        .filter((a) => a.stream === stream)
        .map((a) => a.chunk)
        .join("");
    expect([joined("stdout"), joined("stderr")]).toEqual([outcome.stdout, outcome.stderr]);
    // 3 MB at once: BuildKit's log stream clips (and says so), what was passed on is still exactly the output
    arrivals.length = 0;
    const loud = await newRuntime().exec(
      spec(["sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x; echo; echo done >&2"], {
        onOutput,
      }),
    );
    expect(loud.stdout).toBe("x".repeat(3_000_000) + "\n");
    expect(joined("stdout")).toBe(loud.stdout);
    expect(joined("stderr")).toBe("done\n");
  });

  it("says what docker says for a command that cannot start, and never runs a shell builtin", async () => {
    const rt = newRuntime();
    const missing = await rt.exec(spec(["no-such-command", "arg"]));
    expect(missing).toMatchObject({ exitCode: 127, stdout: "" });
    expect(missing.stderr).toMatch(/"no-such-command": executable file not found/);
    expect((await rt.exec(spec(["cd", "/"]))).exitCode).toBe(127);
    expect((await rt.exec(spec(["/etc/passwd"]))).exitCode).toBe(126);
    // the same outcome, word for word, as the container API's for each way a command cannot start
    const script = await rt.applyOps(
      busybox.id,
      [
        { op: "putFile", path: "/no-hashbang", entry: await fileEntry("echo hi\n", 0o755) },
        { op: "putFile", path: "/bad-interp", entry: await fileEntry("#!/nowhere\n", 0o755) },
      ],
      never,
    );
    const containers = fx.newRuntime({ buildkitExec: false });
    for (const args of [
      ["no-such-command"],
      ["./no-such-file"],
      ["/etc/passwd"],
      ["/tmp"],
      ["/no-hashbang"],
      ["/bad-interp"],
      ["sh", "-c", "exit 7"],
    ]) {
      const s = spec(args, { base: script });
      const [bk, docker] = [await rt.exec({ ...s }), await containers.exec({ ...s })];
      expect({ args, ...pickOutcome(bk) }).toEqual({ args, ...pickOutcome(docker) });
    }
  });

  it("with the shell shim (no binary for the image's architecture): the same results, the output at the end", async () => {
    const rt = fx.newRuntime({ buildkitExec: true, buildkitShim: "shell" });
    const outcome = await rt.exec(
      spec(["sh", "-c", `${WHERE}; echo "$GREETING"; echo err >&2; exit 3`], {
        env: [...busybox.config.env, "GREETING=hi"],
      }),
    );
    expect(outcome).toMatchObject({ exitCode: 3, stdout: "buildkit\nhi\n", stderr: "err\n" });
    const missing = await rt.exec(spec(["no-such-command", "arg"]));
    expect(missing).toMatchObject({ exitCode: 127, stdout: "" });
    expect(missing.stderr).toMatch(/"no-such-command": executable file not found/);
    expect((await rt.exec(spec(["cd", "/"]))).exitCode).toBe(127);
    expect((await rt.exec(spec(["/etc/passwd"]))).exitCode).toBe(126);
  });

  it("leaves an exec it cannot run as the container API would to the container API", async () => {
    const outcome = await newRuntime().exec(
      spec(["sh", "-c", `${WHERE}; echo "$TOKEN"`], { secretEnv: { TOKEN: "s3cret" } }),
    );
    expect(outcome.stdout).toBe("container\ns3cret\n");
  });

  it("stops a cancelled exec: the solve is cancelled and its process killed", async () => {
    const controller = new AbortController();
    const marker = `gantry-bk-cancel-${randomBytes(6).toString("hex")}`;
    const running = () =>
      run("pgrep", ["-f", marker]).then(
        () => true,
        () => false,
      );
    const started = Date.now();
    const pending = newRuntime().exec(
      spec(["sh", "-c", `sleep 30; echo ${marker}`], { signal: controller.signal }),
    );
    while (!(await running())) {
      if (Date.now() - started > 10_000) throw new Error("the exec never started");
      await new Promise((r) => setTimeout(r, 100));
    }
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    const gone = Date.now();
    while (await running()) {
      if (Date.now() - gone > 10_000)
        throw new Error("the cancelled exec's process is still running");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("says the engine stopped answering when it goes mid-exec, as on containers", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-bk-cut-"));
    const proxy = await startEngineProxy(path.join(dir, "engine.sock"));
    const rt = new DockerRuntime({
      docker: new Dockerode({ socketPath: proxy.dockerHost.slice("unix://".length) }),
      store: fx.store,
      runId: `bk-cut-${randomBytes(4).toString("hex")}`,
      isLocalEngine: true,
      buildkitExec: true,
    });
    const marker = `gantry-bk-cut-${randomBytes(6).toString("hex")}`;
    const running = () =>
      run("pgrep", ["-f", marker]).then(
        () => true,
        () => false,
      );
    try {
      const pending = rt.exec(spec(["sh", "-c", `sleep 20; echo ${marker}`]));
      pending.catch(() => undefined);
      const t0 = Date.now();
      while (!(await running())) {
        if (Date.now() - t0 > 10_000) throw new Error("the exec never started");
        await new Promise((r) => setTimeout(r, 100));
      }
      await proxy.cut();
      await expect(pending).rejects.toBeInstanceOf(RuntimeUnavailableError);
      await expect(pending).rejects.toThrow(
        /the Docker engine stopped answering while running exec/,
      );
    } finally {
      await rt.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("removes the run's tags of its base images when it closes, and the images stay", async () => {
    const rt = newRuntime();
    const outcome = await rt.exec(spec(["sh", "-c", WHERE]));
    expect(outcome.stdout).toBe("buildkit\n");
    const tags = async () =>
      (await run("docker", ["images", "--format", "{{.Tag}}", "gantry-cache"])).stdout
        .split("\n")
        .filter((t) => t.startsWith("bk-base-") && t.endsWith(fx.runIdOf(rt)));
    expect(await tags()).toHaveLength(1);
    // noted for the reaper, should this process be killed; the note goes with the tags
    const record = tagRecordPath(fx.runIdOf(rt));
    expect((await readFile(record, "utf8")).trim()).toMatch(/^gantry-cache:bk-base-/);
    await rt.close();
    expect(await tags()).toEqual([]);
    await expect(readFile(record, "utf8")).rejects.toThrow(/ENOENT/);
    await run("docker", ["image", "inspect", busybox.id]);
  });

  it("has a killed run's base tags removed by the next run's reaper; a tag that is its image's only name stays", async () => {
    const gone = spawn("true");
    await new Promise((r) => gone.on("exit", r));
    const deadTag = (idHex: string, runId: string) =>
      baseTag(idHex, runId).replace(`-p${process.pid}-`, `-p${gone.pid}-`);
    const idHex = busybox.id.slice(7);
    const { stdout: made } = await run("docker", ["create", BUSYBOX, "true"]);
    const { stdout: only } = await run("docker", ["commit", made.trim()]);
    await run("docker", ["rm", made.trim()]);
    const tags = {
      dead: `${BASE_REPO}:${deadTag(idHex, "killed-run")}`,
      live: `${BASE_REPO}:${baseTag(idHex, "live-run")}`,
      only: `${BASE_REPO}:${deadTag(only.trim().slice(7), "killed-run")}`,
    };
    await run("docker", ["tag", busybox.id, tags.dead]);
    await run("docker", ["tag", busybox.id, tags.live]);
    await run("docker", ["tag", only.trim(), tags.only]);
    fx.removeImageAfter(tags.live);
    fx.removeImageAfter(tags.only);
    // the records runs leave in the temp dir: the killed one's, and this (live) process's
    const tmpDir = await mkdtemp(path.join(os.tmpdir(), "gantry-bk-reap-"));
    const deadRecord = tagRecordPath("killed-run", tmpDir).replace(
      `-${process.pid}-`,
      `-${gone.pid}-`,
    );
    await writeFile(deadRecord, `${tags.dead}\n${tags.only}\n`);
    await writeFile(tagRecordPath("live-run", tmpDir), `${tags.live}\n`);
    const exists = (ref: string) =>
      run("docker", ["image", "inspect", ref]).then(
        () => true,
        () => false,
      );
    try {
      await reapStale(new Dockerode(), { tmpDir });
      expect(await exists(tags.dead)).toBe(false);
      expect(await exists(tags.live)).toBe(true); // this process is alive
      expect(await exists(tags.only)).toBe(true);
      expect(await exists(busybox.id)).toBe(true);
      const { readdir } = await import("node:fs/promises");
      expect(await readdir(tmpDir)).toEqual([path.basename(tagRecordPath("live-run", tmpDir))]);
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  });
});

describe("gantry with GANTRY_BUILDKIT_EXEC=1", () => {
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(path.join(os.tmpdir(), "gantry-bk-cli-"));
    await mkdir(path.join(project, ".gantry/src"), { recursive: true });
    await writeFile(path.join(project, "hello.txt"), "hello\n");
    const from = `dag.container().from(${JSON.stringify(BUSYBOX)})`;
    await writeFile(
      path.join(project, ".gantry/src/index.ts"),
      [
        'import { argument, dag, Directory, func, object } from "@dagger.io/dagger";',
        "@object()",
        "export class Where {",
        "  @func()",
        '  async where(@argument({ defaultPath: "." }) source: Directory): Promise<string> {',
        `    const base = ${from}.withDirectory("/src", source).withWorkdir("/src");`,
        `    const plain = await base.withExec(["sh", "-c", ${JSON.stringify(`${WHERE}; cat hello.txt`)}]).stdout();`,
        '    const secret = dag.setSecret("token", "s3cret");',
        `    const withSecret = await base.withSecretVariable("TOKEN", secret).withExec(["sh", "-c", ${JSON.stringify(`${WHERE}; test "$TOKEN" = s3cret && echo same`)}]).stdout();`,
        "    return plain + withSecret;",
        "  }",
        "  @func()",
        "  async slow(marker: string): Promise<string> {",
        // the exec's command line holds marker + "-done", which gantry's own does not
        `    return ${from}.withExec(["sh", "-c", "sleep 60; echo " + marker + "-done"]).stdout();`,
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it("says so in its first line and runs a module's execs through BuildKit, a secret's as a container", async () => {
    const r = await runCommand("node", [BIN, "call", "where"], {
      cwd: project,
      env: { GANTRY_STATE_DIR: await makeStateDir(), GANTRY_BUILDKIT_EXEC: "1" },
    });
    expect(r.status, r.out).toBe(0);
    expect(r.stderr.split("\n")[0]).toMatch(
      /runtime: docker \(engine at .*, execs through its BuildKit where they can \(experimental\)\)/,
    );
    expect(r.stdout).toBe("buildkit\nhello\ncontainer\nsame\n");
  });

  it("stops on Ctrl-C: exit 130, the exec's process killed", async () => {
    const marker = `gantry-bk-sigint-${randomBytes(6).toString("hex")}`;
    const running = () =>
      run("pgrep", ["-f", `${marker}-done`]).then(
        () => true,
        () => false,
      );
    const child = spawn("node", [BIN, "call", "slow", `--marker=${marker}`], {
      cwd: project,
      env: {
        ...process.env,
        CI: "true",
        GANTRY_STATE_DIR: await makeStateDir(),
        GANTRY_BUILDKIT_EXEC: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const t0 = Date.now();
    while (!(await running())) {
      if (Date.now() - t0 > 60_000) throw new Error(`the exec never started:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(out).toContain("Interrupted");
    const t1 = Date.now();
    while (await running()) {
      if (Date.now() - t1 > 10_000) throw new Error("the exec's process outlived the run");
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
