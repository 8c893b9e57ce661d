// DockerRuntime against the real engine: execs, file ops, mounts, reads, export, cancel, secrets, cleanup. No mocks.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  defaultExecSpec,
  useDockerRuntimeFixture,
  snapshotOf,
} from "../helpers/docker-runtime-fixture.js";
import { CancelledError, NotFoundError, UnsupportedError } from "../../src/errors.js";
import { cacheVolumeName } from "../../src/runtime/docker/exec/cache-volumes.js";
import { runLabels } from "../../src/runtime/docker/cleanup/labels.js";
import type { ExecSpec, ResolvedImage } from "../../src/runtime/runtime.js";
import type { FileEntry } from "../../src/store/tree.js";

const run = promisify(execFile);
const BUSYBOX = "gantry-test/busybox:latest";
const never = new AbortController().signal;

const fx = useDockerRuntimeFixture("it");
let busybox: ResolvedImage;

beforeAll(async () => {
  busybox = await fx.newRuntime().resolveImage(BUSYBOX, never);
});

const { newRuntime, runIdOf, fileEntry, tree } = fx;

// An exec on busybox with everything defaulted; a fresh digest each time.
function spec(args: string[], more: Partial<ExecSpec> = {}): ExecSpec {
  const base = defaultExecSpec(busybox, args, `test ${args.join(" ")}`);
  fx.removeImageAfter(`gantry-cache:${base.digest.slice(7)}`);
  return { ...base, ...more };
}

async function text(entry: FileEntry): Promise<string> {
  return (await fx.store.readBlob(entry.digest)).toString("utf8");
}

async function dockerOut(...args: string[]): Promise<string> {
  return (await run("docker", args, { maxBuffer: 512 * 1024 * 1024, encoding: "latin1" })).stdout;
}

async function runLeftovers(runId: string): Promise<string> {
  const ps = await dockerOut("ps", "-a", "-q", "--filter", `label=gantry.run=${runId}`);
  const vols = await dockerOut("volume", "ls", "-q", "--filter", `label=gantry.run=${runId}`);
  const nets = await dockerOut("network", "ls", "-q", "--filter", `label=gantry.run=${runId}`);
  return (ps + vols + nets).trim();
}

describe("DockerRuntime exec", () => {
  it("delivers output while the exec is still running, not when it ends", async () => {
    const arrivals: { chunk: string; at: number }[] = [];
    const outcome = await newRuntime().exec(
      spec(["sh", "-c", "echo first; sleep 2; echo last"], {
        onOutput: (_stream, chunk) => arrivals.push({ chunk, at: Date.now() }),
      }),
    );
    expect(outcome.stdout).toBe("first\nlast\n");
    const first = arrivals.find((a) => a.chunk.includes("first"));
    const last = arrivals.find((a) => a.chunk.includes("last"));
    expect(first?.chunk).toBe("first\n");
    // "first" came while the process slept: a stream delivered at exit would bring both lines together.
    expect(last!.at - first!.at).toBeGreaterThanOrEqual(1500);
  });

  it("runs the args as the whole command, streams output and commits a tagged snapshot when kept", async () => {
    const rt = newRuntime();
    const chunks: string[] = [];
    const s = spec(["sh", "-c", "echo out; echo err >&2; echo data > /made.txt"], {
      onOutput: (stream, chunk) => chunks.push(`${stream}:${chunk}`),
    });
    const started = Date.now();
    const outcome = await rt.exec(s);
    console.log(`[timing] one exec (create → run, not committed): ${Date.now() - started} ms`);
    expect(outcome).toMatchObject({ exitCode: 0, stdout: "out\n", stderr: "err\n" });
    expect(chunks).toEqual(expect.arrayContaining(["stdout:out\n", "stderr:err\n"]));
    // nothing is committed until the filesystem is asked for; then once, however often it is asked for
    const tag = `gantry-cache:${s.digest.slice(7)}`;
    await expect(dockerOut("image", "inspect", tag)).rejects.toThrow(/No such image/i);
    const [snapshot, again] = await Promise.all([snapshotOf(outcome), snapshotOf(outcome)]);
    expect(again).toBe(snapshot);
    const tagged = await dockerOut("image", "inspect", "-f", "{{.Id}}", tag);
    expect(tagged.trim()).toBe(snapshot);
    expect(await text(await rt.readFile(snapshot, "/made.txt", never))).toBe("data\n");
    expect(await rt.hasSnapshot(snapshot)).toBe(true);
    expect(await rt.hasSnapshot("sha256:" + "0".repeat(64))).toBe(false);
  });

  it("reports a non-zero exit code with the output, and still commits", async () => {
    const outcome = await newRuntime().exec(spec(["sh", "-c", "echo bad >&2; exit 7"]));
    expect(outcome).toMatchObject({ exitCode: 7, stdout: "", stderr: "bad\n" });
    expect(await snapshotOf(outcome)).toMatch(/^sha256:/);
  });

  it("turns a command that cannot start into exit code 127/126 with the reason, as a shell would", async () => {
    const rt = newRuntime();
    const missing = await rt.exec(spec(["no-such-command", "arg"]));
    expect(missing).toMatchObject({ exitCode: 127, stdout: "" });
    expect(missing.stderr).toMatch(/"no-such-command": executable file not found/);
    expect((await rt.exec(spec(["/etc/passwd"]))).exitCode).toBe(126);
  });

  it("does not fail when the command exits without reading its stdin", async () => {
    const outcome = await newRuntime().exec(spec(["true"], { stdin: "x".repeat(4 * 1024 * 1024) }));
    expect(outcome.exitCode).toBe(0);
  });

  it("ignores the image's entrypoint, sets env, workdir and user, and feeds stdin", async () => {
    const rt = newRuntime();
    const outcome = await rt.exec(
      spec(["sh", "-c", 'echo "$GREETING $(pwd) $(id -u):$(id -g)"; cat'], {
        env: [...busybox.config.env, "GREETING=hi"],
        workdir: "/tmp",
        user: "65534:65534",
        stdin: "from stdin\n",
      }),
    );
    expect(outcome.stdout).toBe("hi /tmp 65534:65534\nfrom stdin\n");
  });

  it("unsets variables the base image sets but the exec no longer has", async () => {
    const rt = newRuntime();
    const first = await rt.exec(spec(["true"], { env: [...busybox.config.env, "FOO=1"] }));
    const second = await rt.exec(
      spec(["sh", "-c", "echo ${FOO-unset}"], { base: await snapshotOf(first) }),
    );
    expect(second.stdout).toBe("unset\n");
  });

  it("writes redirected stdout and stderr into the snapshot, relative to the workdir", async () => {
    const rt = newRuntime();
    const outcome = await rt.exec(
      spec(["sh", "-c", "echo to-out; echo to-err >&2"], {
        workdir: "/w",
        redirectStdout: "out.txt",
        redirectStderr: "/logs/err.txt",
      }),
    );
    expect(await text(await rt.readFile(await snapshotOf(outcome), "/w/out.txt", never))).toBe(
      "to-out\n",
    );
    expect(await text(await rt.readFile(await snapshotOf(outcome), "/logs/err.txt", never))).toBe(
      "to-err\n",
    );
  });

  it("joins the given network and adds hosts for service bindings with an IP", async () => {
    const rt = newRuntime();
    const name = `gantry-it-net-${runIdOf(rt)}`;
    await fx.docker.createNetwork({ Name: name, Labels: runLabels(runIdOf(rt)) });
    const outcome = await rt.exec(
      spec(
        // the alias's own line only: a container id such as 1fc17b8dbeff also contains "db"
        [
          "sh",
          "-c",
          "awk '$2 == \"db\"' /etc/hosts; cat /sys/class/net/eth0/address >/dev/null && echo net",
        ],
        {
          network: name,
          services: [{ alias: "db", target: "10.9.8.7" }],
        },
      ),
    );
    expect(outcome.stdout).toMatch(/10\.9\.8\.7\s+db\nnet\n/);
  });
});

describe("DockerRuntime file operations", () => {
  it("applies put, putFile and rm in order before the command", async () => {
    const rt = newRuntime();
    const outcome = await rt.exec(
      spec(
        [
          "sh",
          "-c",
          "find /work | sort; cat /work/b.txt; stat -c '%a %u:%g' /work/a/x /work/owned",
        ],
        {
          ops: [
            { op: "put", path: "/work", tree: await tree({ "a/x": "x", "a/y": "y" }) },
            { op: "rm", path: "/work/a/y" },
            { op: "putFile", path: "/work/b.txt", entry: await fileEntry("bee\n", 0o600) },
            { op: "putFile", path: "/work/owned", entry: await fileEntry("o"), owner: "nobody" },
          ],
        },
      ),
    );
    expect(outcome.stdout).toBe(
      [
        "/work",
        "/work/a",
        "/work/a/x",
        "/work/b.txt",
        "/work/owned",
        "bee",
        "644 0:0",
        "644 65534:65534",
        "",
      ].join("\n"),
    );
  });

  it("applyOps commits without running anything; no ops gives the base back", async () => {
    const rt = newRuntime();
    expect(await rt.applyOps(busybox.id, [], never)).toBe(busybox.id);
    const snap = await rt.applyOps(
      busybox.id,
      [
        { op: "put", path: "/data", tree: await tree({ "keep.txt": "k", "gone.txt": "g" }) },
        { op: "rm", path: "/data/gone.txt" },
        { op: "put", path: "/empty", tree: { entries: {} } },
      ],
      never,
    );
    expect(snap).not.toBe(busybox.id);
    expect(Object.keys((await rt.readDirectory(snap, "/data", never)).entries)).toEqual([
      "keep.txt",
    ]);
    expect((await rt.readDirectory(snap, "/empty", never)).entries).toEqual({});
  });

  it("refuses rm in an image without /bin/sh, naming the path", async () => {
    const rt = newRuntime();
    const base = await rt.scratch();
    const ops = [
      { op: "putFile" as const, path: "/f", entry: await fileEntry("f") },
      { op: "rm" as const, path: "/f" },
    ];
    const err = await rt.applyOps(base, ops, never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toMatch(/cannot remove \/f: .*no \/bin\/sh/);
  });
});

describe("DockerRuntime mounts", () => {
  it("keeps a cache volume's contents across execs and runtimes, outside the snapshot", async () => {
    const cache = `it-${randomBytes(4).toString("hex")}`;
    fx.removeVolumeAfter(cacheVolumeName(cache));
    const mounts = [
      { kind: "cache" as const, target: "/cache", volume: cache, sharing: "SHARED" as const },
    ];
    const write = "echo $(( $(cat /cache/n 2>/dev/null || echo 0) + 1 )) > /cache/n; cat /cache/n";
    expect((await newRuntime().exec(spec(["sh", "-c", write], { mounts }))).stdout).toBe("1\n");
    const second = await newRuntime().exec(spec(["sh", "-c", write], { mounts }));
    expect(second.stdout).toBe("2\n");
    expect(
      (await newRuntime().readDirectory(await snapshotOf(second), "/cache", never)).entries,
    ).toEqual({});
  });

  it("LOCKED lets one exec at a time use the volume; PRIVATE gives a second exec its own", async () => {
    const rt = newRuntime();
    const cache = `it-${randomBytes(4).toString("hex")}`;
    fx.removeVolumeAfter(cacheVolumeName(cache));
    const locked = [
      { kind: "cache" as const, target: "/c", volume: cache, sharing: "LOCKED" as const },
    ];
    // Each exec logs its start and end into the volume and prints the log: one volume and one at a time means the
    // later exec sees the earlier one's whole pair before its own (private copies would each see only their own).
    const critical = (id: string) =>
      `echo start-${id} >> /c/log; sleep 0.3; echo end-${id} >> /c/log; cat /c/log`;
    const both = await Promise.all(
      ["1", "2"].map((id) => rt.exec(spec(["sh", "-c", critical(id)], { mounts: locked }))),
    );
    expect(both.map((o) => o.exitCode)).toEqual([0, 0]);
    const logs = both.map((o) => o.stdout.trim().split("\n")).sort((x, y) => x.length - y.length);
    const [first, second] = logs as [string[], string[]];
    const [x, y] = first[0] === "start-1" ? ["1", "2"] : ["2", "1"];
    expect(first).toEqual([`start-${x}`, `end-${x}`]);
    expect(second).toEqual([`start-${x}`, `end-${x}`, `start-${y}`, `end-${y}`]);

    const priv = [
      { kind: "cache" as const, target: "/c", volume: cache, sharing: "PRIVATE" as const },
    ];
    const mark = (id: string) => `touch /c/${id}; sleep 0.5; ls /c`;
    const [a, b] = await Promise.all(
      ["a", "b"].map((id) => rt.exec(spec(["sh", "-c", mark(id)], { mounts: priv }))),
    );
    expect(a?.stdout.split("\n")).not.toContain("b");
    expect(b?.stdout.split("\n")).not.toContain("a");
  });

  it("copies a cache's source in when the volume is new", async () => {
    const cache = `it-${randomBytes(4).toString("hex")}`;
    fx.removeVolumeAfter(cacheVolumeName(cache));
    const source = await tree({ "seed.txt": "seed" });
    const mounts = [
      { kind: "cache" as const, target: "/c", volume: cache, sharing: "SHARED" as const, source },
    ];
    expect((await newRuntime().exec(spec(["cat", "/c/seed.txt"], { mounts }))).stdout).toBe("seed");
  });

  it("mounts directories (read-write and read-only), files and tmpfs without committing them", async () => {
    const rt = newRuntime();
    const outcome = await rt.exec(
      spec(
        [
          "sh",
          "-c",
          "cat /src/f /ro/r /etc/app.conf; echo new > /src/g; touch /ro/x 2>/dev/null || echo ro; " +
            "echo t > /scratch/t; grep -q ' /scratch tmpfs' /proc/mounts && echo tmpfs",
        ],
        {
          mounts: [
            { kind: "dir", target: "/src", tree: await tree({ f: "f\n" }) },
            { kind: "dir", target: "/ro", tree: await tree({ r: "r\n" }), readOnly: true },
            { kind: "file", target: "/etc/app.conf", entry: await fileEntry("conf\n") },
            { kind: "tmp", target: "/scratch" },
          ],
        },
      ),
    );
    expect(outcome.stdout).toBe("f\nr\nconf\nro\ntmpfs\n");
    // Mount points stay behind as empty stubs (docker creates them in the container's layer), never their contents.
    expect((await rt.readDirectory(await snapshotOf(outcome), "/src", never)).entries).toEqual({});
    expect((await rt.readDirectory(await snapshotOf(outcome), "/scratch", never)).entries).toEqual(
      {},
    );
    expect((await rt.readFile(await snapshotOf(outcome), "/etc/app.conf", never)).size).toBe(0);
  });

  it("refuses a mounted secret on a remote engine instead of copying it somewhere", async () => {
    const rt = newRuntime({ isLocalEngine: false });
    const mounts = [{ kind: "secret" as const, target: "/run/s", value: "v", mode: 0o400 }];
    await expect(rt.exec(spec(["true"], { mounts }))).rejects.toBeInstanceOf(UnsupportedError);
  });
});

describe("DockerRuntime reads and export", () => {
  it("reads directories and files, follows symlinks, and names a missing path", async () => {
    const rt = newRuntime();
    const outcome = await rt.exec(
      spec([
        "sh",
        "-c",
        "mkdir -p /d/sub && echo a > /d/a && echo b > /d/sub/b && ln -s /d /link && ln -s a /d/la",
      ]),
    );
    const dir = await rt.readDirectory(await snapshotOf(outcome), "/link", never);
    expect(Object.keys(dir.entries).sort()).toEqual(["a", "la", "sub", "sub/b"]);
    expect(dir.entries.la).toEqual({ type: "symlink", target: "a" });
    expect(await text(await rt.readFile(await snapshotOf(outcome), "/d/la", never))).toBe("a\n");
    const root = await rt.readDirectory(await snapshotOf(outcome), "/", never);
    expect(root.entries["bin/busybox"]?.type).toBe("file");
    expect(root.entries[".dockerenv"]).toBeUndefined();
    await expect(rt.readFile(await snapshotOf(outcome), "/nope", never)).rejects.toThrow(
      /no file \/nope/,
    );
    await expect(
      rt.readDirectory(await snapshotOf(outcome), "/nope", never),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(rt.readDirectory(await snapshotOf(outcome), "/d/a", never)).rejects.toThrow(
      /is a file/,
    );
    await expect(rt.readFile(await snapshotOf(outcome), "/d", never)).rejects.toThrow(
      /is a directory/,
    );
  });

  it("reads an empty scratch snapshot", async () => {
    const rt = newRuntime();
    expect((await rt.readDirectory(await rt.scratch(), "/", never)).entries).toEqual({});
  });

  it("exports a docker-archive with exactly the given config, loadable by docker load", async () => {
    const rt = newRuntime();
    const built = await rt.exec(
      spec(["sh", "-c", "echo hello > /greeting"], { env: [...busybox.config.env, "DROPPED=1"] }),
    );
    const dest = path.join(fx.stateDir, "out", "image.tar");
    const config = {
      env: ["PATH=/bin", "KEPT=yes"],
      workdir: "/tmp",
      user: "nobody",
      entrypoint: ["/bin/sh", "-c"],
      cmd: ['cat /greeting; echo "$KEPT ${DROPPED-none}"'],
      labels: { "org.example": "x" },
      exposedPorts: ["8080", "53/udp"],
    };
    await rt.exportImage(await snapshotOf(built), config, dest, never);
    const loaded = /Loaded image ID: (sha256:[0-9a-f]+)/.exec(
      await dockerOut("load", "-i", dest),
    )?.[1];
    expect(loaded).toMatch(/^sha256:[0-9a-f]{64}$/);
    fx.removeImageAfter(loaded as string);
    const inspected = JSON.parse(await dockerOut("image", "inspect", loaded as string)) as Array<{
      Config: Record<string, unknown>;
    }>;
    expect(inspected[0]?.Config).toMatchObject({
      Env: config.env,
      WorkingDir: "/tmp",
      User: "nobody",
      Entrypoint: config.entrypoint,
      Cmd: config.cmd,
      Labels: config.labels,
      ExposedPorts: { "8080/tcp": {}, "53/udp": {} },
    });
    expect(await dockerOut("run", "--rm", "--network=none", loaded as string)).toBe(
      "hello\nyes none\n",
    );
  });
});

describe("DockerRuntime cancel, secrets and cleanup", () => {
  it("cancels a running exec: CancelledError, and no container of the run is left", async () => {
    const rt = newRuntime();
    const abort = new AbortController();
    const started = Date.now();
    const result = rt.exec(
      spec(["sh", "-c", "echo started; sleep 30"], {
        signal: abort.signal,
        onOutput: () => abort.abort(),
        mounts: [{ kind: "dir", target: "/m", tree: await tree({ f: "f" }) }],
      }),
    );
    await expect(result).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await runLeftovers(runIdOf(rt))).toBe("");
  });

  it("leaves no trace of a secret variable or a mounted secret in the image, its history or a saved tarball", async () => {
    const rt = newRuntime();
    const envSecret = `env-secret-${randomBytes(12).toString("hex")}`;
    const fileSecret = `file-secret-${randomBytes(12).toString("hex")}`;
    const outcome = await rt.exec(
      spec(
        [
          "sh",
          "-c",
          'printf %s "$TOKEN" | wc -c; wc -c < /run/secrets/token; stat -c %a /run/secrets/token; echo built > /out',
        ],
        {
          secretEnv: { TOKEN: envSecret },
          mounts: [
            { kind: "secret", target: "/run/secrets/token", value: fileSecret, mode: 0o400 },
          ],
        },
      ),
    );
    expect(outcome.stdout.split(/\s+/).filter(Boolean)).toEqual([
      String(envSecret.length),
      String(fileSecret.length),
      "400",
    ]);
    const inspect = await dockerOut("image", "inspect", await snapshotOf(outcome));
    const history = await dockerOut("history", "--no-trunc", await snapshotOf(outcome));
    const saved = await dockerOut("save", await snapshotOf(outcome));
    expect(saved.length).toBeGreaterThan(1000);
    for (const secret of [envSecret, fileSecret]) {
      expect(inspect).not.toContain(secret);
      expect(history).not.toContain(secret);
      expect(saved).not.toContain(secret);
    }
    // The host copy of the mounted secret is gone too.
    for (const dir of (await readdir(os.tmpdir())).filter((d) => d.startsWith("gantry-secret-"))) {
      for (const f of await readdir(path.join(os.tmpdir(), dir)).catch(() => [])) {
        const content = await readFile(path.join(os.tmpdir(), dir, f), "utf8").catch(() => "");
        expect(content).not.toContain(fileSecret);
      }
    }
  });

  it("refuses a secret variable in an image without /bin/sh, naming the variable", async () => {
    const rt = newRuntime();
    const err = await rt
      .exec(spec(["/app"], { base: await rt.scratch(), secretEnv: { API_KEY: "k" }, env: [] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toMatch(/API_KEY.*no \/bin\/sh/);
    expect((err as Error).message).not.toContain("k\n");
  });

  it("close() removes the run's containers, temporary volumes and networks, keeps caches, and is idempotent", async () => {
    const rt = newRuntime();
    const runId = runIdOf(rt);
    const cache = `it-${randomBytes(4).toString("hex")}`;
    fx.removeVolumeAfter(cacheVolumeName(cache));
    await fx.docker.createNetwork({ Name: `gantry-it-net-${runId}`, Labels: runLabels(runId) });
    let sawOutput!: () => void;
    const outputSeen = new Promise<void>((resolve) => (sawOutput = resolve));
    const running = rt
      .exec(
        spec(["sh", "-c", "echo up; sleep 30"], {
          onOutput: () => sawOutput(),
          mounts: [
            { kind: "dir", target: "/m", tree: await tree({ f: "f" }) },
            { kind: "cache", target: "/c", volume: cache, sharing: "SHARED" },
          ],
        }),
      )
      .catch((e: unknown) => e);
    await outputSeen;
    expect(await runLeftovers(runId)).not.toBe("");
    await rt.close();
    await rt.close();
    expect(await runLeftovers(runId)).toBe("");
    expect(await running).toBeInstanceOf(Error);
    expect(
      await dockerOut("volume", "ls", "-q", "--filter", `name=${cacheVolumeName(cache)}`),
    ).toContain(cacheVolumeName(cache));
  });
});
