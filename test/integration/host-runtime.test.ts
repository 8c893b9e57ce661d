// The host runtime against real processes and real bubblewrap: snapshots, mounts, secrets, errors and cancellation.
import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CancelledError, NotFoundError, UnsupportedError } from "../../src/errors.js";
import type { ExecSpec, Snapshot } from "../../src/runtime/runtime.js";
import { readEnv } from "../../src/env.js";
import { HostRuntime } from "../../src/runtime/host/host-runtime.js";
import {
  openRuntime,
  prepareRuntime,
  type PreparedRuntime,
} from "../../src/runtime/open-runtime.js";
import { ContentStore } from "../../src/store/content-store.js";
import type { FileEntry } from "../../src/store/tree.js";
import { aptInstallCommand } from "../../src/toolchains/core/system-packages.js";

const HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

let root: string;
let store: ContentStore;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "gantry-host-rt-"));
  store = new ContentStore(path.join(root, "store"));
  await store.init();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Whether sandboxed execs get an overlay (the default where the kernel allows it) or a copy of their tree. */
let useOverlay = true;

/** A runtime over the shared store; each test gets its own run id. */
function runtime(
  useBubblewrap = true,
  runId = `run-${Math.random().toString(36).slice(2)}`,
): HostRuntime {
  return new HostRuntime({
    store,
    runId,
    stateDir: path.join(root, "state"),
    useBubblewrap,
    overlayFromEntries: useOverlay ? 0 : Infinity,
    hostPath: HOST_PATH,
  });
}

/** An ExecSpec with container-like defaults, overridden by `over`. */
function spec(base: Snapshot, args: string[], over: Partial<ExecSpec> = {}): ExecSpec {
  return {
    step: `withExec ${args.join(" ")}`,
    digest: "sha256:test",
    base,
    ops: [],
    args,
    env: [`PATH=${HOST_PATH}`],
    secretEnv: {},
    workdir: "/",
    user: "",
    mounts: [],
    signal: new AbortController().signal,
    ...over,
  };
}

/** A FileEntry for `text`, stored. */
async function fileOf(text: string, mode = 0o644): Promise<FileEntry> {
  return { type: "file", mode, digest: await store.putBytes(text), size: Buffer.byteLength(text) };
}

const sh = (script: string): string[] => ["sh", "-c", script];

describe.each([
  { roots: "overlay", overlay: true },
  { roots: "copies", overlay: false },
])("host runtime (bubblewrap, exec roots as $roots)", ({ overlay }) => {
  beforeEach(() => {
    useOverlay = overlay;
  });

  it("reports its mode, and detect() finds bubblewrap here", async () => {
    expect(runtime().mode).toBe("bubblewrap");
    expect((await HostRuntime.detect()).mode).toBe("bubblewrap");
  });

  it("carries a file written by one exec to the next through the snapshot", async () => {
    const rt = runtime();
    const base = await rt.scratch();
    const first = await rt.exec(spec(base, sh("mkdir -p /out && echo hello > /out/greeting.txt")));
    expect(first.exitCode).toBe(0);
    const tree = await store.loadTree(first.snapshot);
    expect(Object.keys(tree.entries).sort()).toEqual(["out", "out/greeting.txt"]);
    const second = await rt.exec(spec(first.snapshot, ["cat", "/out/greeting.txt"]));
    expect(second.stdout).toBe("hello\n");
    const file = await rt.readFile(
      second.snapshot,
      "/out/greeting.txt",
      new AbortController().signal,
    );
    expect((await store.readBlob(file.digest)).toString()).toBe("hello\n");
    await rt.close();
  });

  it("applies pending file ops before the exec and keeps untouched files' digests", async () => {
    const rt = runtime();
    const src = {
      entries: {
        bin: { type: "dir", mode: 0o755 } as const,
        "a.txt": await fileOf("A"),
        "bin/run": await fileOf("#!/bin/sh\necho ran $1\n", 0o755),
      },
    };
    const s = await rt.applyOps(
      await rt.scratch(),
      [{ op: "put", path: "/src", tree: src }],
      new AbortController().signal,
    );
    const out = await rt.exec(
      spec(s, ["/src/bin/run", "x"], { ops: [{ op: "rm", path: "/src/a.txt" }] }),
    );
    expect(out.stdout).toBe("ran x\n");
    const tree = await store.loadTree(out.snapshot);
    expect(tree.entries["src/a.txt"]).toBeUndefined();
    expect(tree.entries["src/bin/run"]).toEqual(src.entries["bin/run"]);
    const dir = await rt.readDirectory(out.snapshot, "/src", new AbortController().signal);
    expect(Object.keys(dir.entries).sort()).toEqual(["bin", "bin/run"]);
  });

  it("runs in the workdir, creating it in the snapshot", async () => {
    const rt = runtime();
    const out = await rt.exec(spec(await rt.scratch(), ["pwd"], { workdir: "/work/app" }));
    expect(out.stdout).toBe("/work/app\n");
    const tree = await store.loadTree(out.snapshot);
    expect(tree.entries["work/app"]?.type).toBe("dir");
    // Scaffolding the exec did not use (HOME, /tmp, mount points) is not left behind.
    expect(Object.keys(tree.entries).sort()).toEqual(["work", "work/app"]);
  });

  it("gives the process exactly the spec's environment, with Docker's HOME default", async () => {
    const rt = runtime();
    const out = await rt.exec(
      spec(await rt.scratch(), ["env"], { env: [`PATH=${HOST_PATH}`, "GREETING=hi there"] }),
    );
    const vars = out.stdout.trim().split("\n").sort();
    expect(vars).toContain("GREETING=hi there");
    expect(vars).toContain("HOME=/root");
    expect(vars.filter((v) => !v.startsWith("PWD="))).toEqual(
      [`HOME=/root`, `PATH=${HOST_PATH}`, "GREETING=hi there"].sort(),
    );
  });

  it("shows secret env and mounted secrets inside, and keeps them out of the snapshot", async () => {
    const rt = runtime();
    const value = "s3cr3t-value-42";
    const out = await rt.exec(
      spec(
        await rt.scratch(),
        sh('echo "$TOKEN" && cat /run/secrets/token && stat -c %a /run/secrets/token'),
        {
          secretEnv: { TOKEN: value },
          mounts: [
            { kind: "secret", target: "/run/secrets/token", value: "from-file", mode: 0o400 },
          ],
        },
      ),
    );
    expect(out.stdout).toBe(`${value}\nfrom-file400\n`);
    const tree = await store.loadTree(out.snapshot);
    expect(Object.keys(tree.entries)).toEqual([]);
    for (const e of Object.values(tree.entries)) {
      if (e.type === "file")
        expect((await store.readBlob(e.digest)).toString()).not.toContain(value);
    }
  });

  it("keeps a cache volume across execs and runtimes, never in the snapshot", async () => {
    const mount = {
      kind: "cache",
      target: "/cache",
      volume: `counter-${overlay}`,
      sharing: "SHARED",
    } as const;
    const bump = sh("n=$(cat /cache/n 2>/dev/null || echo 0); echo $((n+1)) | tee /cache/n");
    const a = runtime();
    const first = await a.exec(spec(await a.scratch(), bump, { mounts: [mount] }));
    const b = runtime();
    const second = await b.exec(spec(await b.scratch(), bump, { mounts: [mount] }));
    expect([first.stdout, second.stdout]).toEqual(["1\n", "2\n"]);
    expect(Object.keys((await store.loadTree(second.snapshot)).entries)).toEqual([]);
  });

  it("lets only one exec at a time use a LOCKED cache", async () => {
    const rt = runtime();
    const mount = {
      kind: "cache",
      target: "/c",
      volume: `locked-one-${overlay}`,
      sharing: "LOCKED",
    } as const;
    // One volume, one exec at a time: the later exec sees the earlier one's whole start/end pair before its own.
    const guarded = (id: string) =>
      sh(`echo start-${id} >> /c/log; sleep 0.3; echo end-${id} >> /c/log; cat /c/log`);
    const base = await rt.scratch();
    const outs = await Promise.all(
      ["1", "2"].map((id) => rt.exec(spec(base, guarded(id), { mounts: [mount] }))),
    );
    const logs = outs.map((o) => o.stdout.trim().split("\n")).sort((x, y) => x.length - y.length);
    const [first, second] = logs as [string[], string[]];
    const [x, y] = first[0] === "start-1" ? ["1", "2"] : ["2", "1"];
    expect(first).toEqual([`start-${x}`, `end-${x}`]);
    expect(second).toEqual([`start-${x}`, `end-${x}`, `start-${y}`, `end-${y}`]);
  });

  it("binds a read-only directory mount and restores what the mount hid", async () => {
    const rt = runtime();
    const hidden = { entries: { "old.txt": await fileOf("old") } };
    const base = await rt.applyOps(
      await rt.scratch(),
      [{ op: "put", path: "/data", tree: hidden }],
      new AbortController().signal,
    );
    const shown = { entries: { "new.txt": await fileOf("new") } };
    const out = await rt.exec(
      spec(base, sh("cat /data/new.txt; touch /data/x 2>/dev/null || echo read-only"), {
        mounts: [{ kind: "dir", target: "/data", tree: shown, readOnly: true }],
      }),
    );
    expect(out.stdout).toBe("newread-only\n");
    expect(Object.keys((await store.loadTree(out.snapshot)).entries).sort()).toEqual([
      "data",
      "data/old.txt",
    ]);
  });

  it("feeds stdin and writes redirected stdout into the snapshot", async () => {
    const rt = runtime();
    const out = await rt.exec(
      spec(await rt.scratch(), ["tr", "a-z", "A-Z"], {
        stdin: "shout\n",
        redirectStdout: "out.txt",
        workdir: "/w",
      }),
    );
    expect(out.stdout).toBe("SHOUT\n");
    const file = await rt.readFile(out.snapshot, "/w/out.txt", new AbortController().signal);
    expect((await store.readBlob(file.digest)).toString()).toBe("SHOUT\n");
  });

  it("returns non-zero exit codes with output, and a snapshot", async () => {
    const rt = runtime();
    const out = await rt.exec(
      spec(await rt.scratch(), sh("echo oops >&2; touch /partial; exit 3")),
    );
    expect(out).toMatchObject({ exitCode: 3, stderr: "oops\n" });
    expect(Object.keys((await store.loadTree(out.snapshot)).entries)).toEqual(["partial"]);
    const killed = await rt.exec(spec(await rt.scratch(), sh("kill -9 $$")));
    expect(killed.exitCode).toBe(137);
  });

  it("streams output as it comes", async () => {
    const rt = runtime();
    const chunks: string[] = [];
    await rt.exec(
      spec(await rt.scratch(), sh("echo one; echo two >&2"), {
        onOutput: (s, c) => chunks.push(`${s}:${c}`),
      }),
    );
    expect(chunks.sort()).toEqual(["stderr:two\n", "stdout:one\n"]);
    // A chunk arrives while the process still runs: "first" long before "last", not both at exit.
    const arrivals: { chunk: string; at: number }[] = [];
    await rt.exec(
      spec(await rt.scratch(), sh("echo first; sleep 2; echo last"), {
        onOutput: (_s, chunk) => arrivals.push({ chunk, at: Date.now() }),
      }),
    );
    const first = arrivals.find((a) => a.chunk.includes("first"));
    const last = arrivals.find((a) => a.chunk.includes("last"));
    expect(first?.chunk).toBe("first\n");
    expect(last!.at - first!.at).toBeGreaterThanOrEqual(1500);
  });

  it("names a tool the host lacks and the image that would have it", async () => {
    const rt = runtime();
    const run = rt.exec(
      spec(await rt.scratch(), ["no-such-tool-xyz", "--version"], { image: "python:3.12" }),
    );
    await expect(run).rejects.toThrow(UnsupportedError);
    await expect(run).rejects.toThrow(
      'host runtime: "no-such-tool-xyz" is not installed on this host (the image "python:3.12" would provide it): install it, or run with --runtime=docker',
    );
    await expect(rt.exec(spec(await rt.scratch(), ["/src/missing.sh"]))).rejects.toThrow(
      NotFoundError,
    );
  });

  it("refuses writes into the host's read-only system, naming the path", async () => {
    const rt = runtime();
    const base = await rt.scratch();
    const put = rt.exec(
      spec(base, ["true"], {
        ops: [{ op: "putFile", path: "/usr/local/bin/tool", entry: await fileOf("x") }],
      }),
    );
    await expect(put).rejects.toThrow(UnsupportedError);
    await expect(put).rejects.toThrow(
      /cannot write \/usr\/local\/bin\/tool .*\/usr is the host's own read-only system directory.*--runtime=docker/,
    );
    const mount = rt.exec(spec(base, ["true"], { mounts: [{ kind: "tmp", target: "/etc/app" }] }));
    await expect(mount).rejects.toThrow(/cannot write \/etc\/app/);
    await expect(rt.exec(spec(base, ["true"], { workdir: "/usr/src/app" }))).rejects.toThrow(
      /withWorkdir/,
    );
    await expect(
      rt.exec(spec(base, ["true"], { ops: [{ op: "rm", path: "/etc/hostname" }] })),
    ).rejects.toThrow(/cannot remove \/etc\/hostname/);
    // The process itself gets the kernel's answer.
    const out = await rt.exec(spec(base, sh("touch /usr/x 2>&1; echo $?")));
    expect(out.stdout).toMatch(/Read-only file system\n1\n/);
  });

  it("answers dpkg from the host's package database; a system package it lacks is named, to install on the host", async () => {
    const rt = runtime();
    const base = await rt.scratch();
    const have = await rt.exec(spec(base, sh(aptInstallCommand(["coreutils", "bash"]))));
    expect(have.stderr).toBe("");
    expect(have.stdout).toBe("already installed: coreutils bash\n");
    expect(have.exitCode).toBe(0);
    const lacks = await rt.exec(
      spec(base, sh(aptInstallCommand(["coreutils", "gantry-no-such-pkg"]))),
    );
    expect(lacks.exitCode).toBe(100);
    expect(lacks.stderr).toContain(
      "system packages not installed: gantry-no-such-pkg (this system is read-only here: on the host runtime, install them on the host with apt-get install gantry-no-such-pkg, or run with --runtime=docker)",
    );
  });

  it("refuses another user instead of silently running as root", async () => {
    const rt = runtime();
    await expect(rt.exec(spec(await rt.scratch(), ["id"], { user: "node" }))).rejects.toThrow(
      /cannot run as user "node"/,
    );
    const out = await rt.exec(spec(await rt.scratch(), ["id", "-u"], { user: "root" }));
    expect(out.stdout).toBe("0\n");
  });

  it("reads host system files through a snapshot, and reports missing paths", async () => {
    const rt = runtime();
    const base = await rt.scratch();
    const signal = new AbortController().signal;
    const osRelease = await rt.readFile(base, "/etc/os-release", signal);
    expect((await store.readBlob(osRelease.digest)).toString()).toBe(
      await readFile("/etc/os-release", "utf8"),
    );
    await expect(rt.readFile(base, "/nope.txt", signal)).rejects.toThrow(NotFoundError);
    await expect(rt.readDirectory(base, "/nope", signal)).rejects.toThrow(
      /directory \/nope does not exist/,
    );
    await expect(rt.exportImage(base, {} as never, "/tmp/x.tar", signal)).rejects.toThrow(
      /--runtime=docker/,
    );
    expect(await rt.hasSnapshot(base)).toBe(true);
    expect(await rt.hasSnapshot("sha256:" + "0".repeat(64))).toBe(false);
  });

  it("reads host directories, and follows upper symlinks into the host", async () => {
    const rt = runtime();
    const signal = new AbortController().signal;
    const link = { type: "symlink", target: "/etc/os-release" } as const;
    const base = await rt.applyOps(
      await rt.scratch(),
      [{ op: "putFile", path: "/app/release", entry: link as never }],
      signal,
    );
    const viaLink = await rt.readFile(base, "/app/release", signal);
    expect((await store.readBlob(viaLink.digest)).toString()).toContain("NAME=");
    const etcDefault = await rt.readDirectory(base, "/etc/default", signal);
    expect(Object.keys(etcDefault.entries)).toEqual(expect.arrayContaining(["locale"]));
  });

  it("seeds a new cache volume from its source", async () => {
    const rt = runtime();
    const source = { entries: { "seed.txt": await fileOf("seeded\n") } };
    const mount = {
      kind: "cache",
      target: "/c",
      volume: "seeded",
      sharing: "SHARED",
      source,
    } as const;
    const out = await rt.exec(
      spec(await rt.scratch(), ["cat", "/c/seed.txt"], { mounts: [mount] }),
    );
    expect(out.stdout).toBe("seeded\n");
  });

  it("resolves service aliases through /etc/hosts", async () => {
    const rt = runtime();
    const services = [{ alias: "db", target: "127.0.0.1" }];
    const out = await rt.exec(spec(await rt.scratch(), ["getent", "hosts", "db"], { services }));
    expect(out.stdout).toMatch(/^127\.0\.0\.1\s+db$/m);
  });

  it("kills the process on cancel and leaves no temp dir", async () => {
    const runId = `cancel-run-${overlay}`;
    const rt = runtime(true, runId);
    const ac = new AbortController();
    const marker = `sleep ${(30 + Math.random()).toFixed(3)}`;
    const run = rt.exec(
      spec(await rt.scratch(), sh(`${marker}; echo never`), { signal: ac.signal }),
    );
    await waitFor(async () => (await findProcesses(marker)).length > 0);
    ac.abort();
    await expect(run).rejects.toThrow(CancelledError);
    expect(await findProcesses(marker)).toEqual([]);
    const runDir = path.join(root, "state", "host-runs", runId);
    expect((await readdir(runDir)).filter((n) => n !== "pid")).toEqual([]);
    await rt.close();
    await expect(readdir(runDir)).rejects.toThrow();
  });
});

describe("host runtime (bubblewrap): an overlay or a copy, the same result", () => {
  // Every kind of change an exec can make, from a base tree that has something for each to change.
  const base = async (rt: HostRuntime): Promise<Snapshot> => {
    const f = (t: string): Promise<FileEntry> => fileOf(t);
    const dir = { type: "dir" as const, mode: 0o755 };
    const tree = {
      entries: {
        a: dir,
        "a/1": await f("a1"),
        "a/sub": dir,
        "a/sub/x": await f("x"),
        b: dir,
        "b/1": await f("b1"),
        "b/2": await f("b2"),
        c: await f("c"),
        d: dir,
        "d/e": dir,
        "d/e/f": await f("f"),
        g: dir,
        "g/h": await f("h"),
        "g/sub2": dir,
        "g/sub2/kept-not": await f("k"),
        k: dir,
        "k/one": await f("one"),
        "k/deep": dir,
        "k/deep/two": await f("two"),
        untouched: dir,
        "untouched/u": await f("u"),
        link: { type: "symlink" as const, target: "c" },
      },
    };
    return rt.applyOps(
      await rt.scratch(),
      [{ op: "put", path: "/w", tree }],
      new AbortController().signal,
    );
  };
  const script = [
    "cd /w",
    "rm -r a && mkdir -p a/sub && echo new > a/sub/y", // a directory removed and made again: nothing of the old
    "rm b/1", // a deleted file
    "rm c && mkdir c && echo z > c/z", // a file became a directory
    "rm -r d && echo f > d", // a directory became a file
    "chmod 600 g/h", // only the mode
    "ln -sfn elsewhere link", // a symlink's target
    "echo more >> g/h2 && mkdir g/empty",
    "rm -r g/sub2 && mkdir g/sub2", // removed and made again, empty
    "mv k k2", // a renamed directory (an overlay copies it)
  ].join(" && ");

  it.each([true, false])(
    "gives the tree a full scan of the exec's files gives (overlay: %s)",
    async (overlay) => {
      useOverlay = overlay;
      const rt = runtime();
      const out = await rt.exec(spec(await base(rt), sh(`${script} && stat -f -c %T /`)));
      expect(out.stderr).toBe("");
      expect(out.exitCode).toBe(0);
      // the exec's root is the overlay when it has one (this kernel allows it), a directory of its own otherwise
      if (overlay) expect(out.stdout).toBe("overlayfs\n");
      else expect(out.stdout).not.toBe("overlayfs\n");
      const tree = await store.loadTree(out.snapshot);
      const shown = Object.fromEntries(
        Object.entries(tree.entries).map(([p, e]) => [
          p,
          e.type === "file"
            ? `file ${e.mode.toString(8)} ${e.size}`
            : e.type === "dir"
              ? `dir ${e.mode.toString(8)}`
              : `-> ${e.target}`,
        ]),
      );
      expect(shown).toEqual({
        w: "dir 755",
        "w/a": "dir 755",
        "w/a/sub": "dir 755",
        "w/a/sub/y": "file 644 4",
        "w/b": "dir 755",
        "w/b/2": "file 644 2",
        "w/c": "dir 755",
        "w/c/z": "file 644 2",
        "w/d": "file 644 2",
        "w/g": "dir 755",
        "w/g/h": "file 600 1",
        "w/g/h2": "file 644 5",
        "w/g/empty": "dir 755",
        "w/g/sub2": "dir 755",
        "w/k2": "dir 755",
        "w/k2/one": "file 644 3",
        "w/k2/deep": "dir 755",
        "w/k2/deep/two": "file 644 3",
        "w/untouched": "dir 755",
        "w/untouched/u": "file 644 1",
        "w/link": "-> elsewhere",
      });
      const h = tree.entries["w/g/h"];
      expect(h?.type === "file" && h.digest).toBe(await store.putBytes("h"));
      await rt.close();
    },
  );

  it("shares one lower directory between parallel execs over one tree; each keeps only its own changes", async () => {
    useOverlay = true;
    const runId = `shared-lower-${Math.random().toString(36).slice(2)}`;
    const rt = runtime(true, runId);
    const b = await base(rt);
    const marker = `sleep ${(1 + Math.random()).toFixed(3)}`;
    const both = Promise.all([
      rt.exec(spec(b, sh(`${marker}; echo one >> /w/g/h; rm /w/b/2`))),
      rt.exec(spec(b, sh(`${marker}; echo two >> /w/g/h; cat /w/b/2`))),
    ]);
    await waitFor(async () => (await findProcesses(marker)).length >= 2);
    const runDir = path.join(root, "state", "host-runs", runId);
    const names = await readdir(runDir);
    expect(names.filter((n) => n.startsWith("exec-"))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith("lower-"))).toHaveLength(1);
    const [one, two] = await both;
    expect(two.stdout).toBe("b2");
    const [t1, t2] = [await store.loadTree(one.snapshot), await store.loadTree(two.snapshot)];
    const h1 = t1.entries["w/g/h"];
    const h2 = t2.entries["w/g/h"];
    expect(h1?.type === "file" && h1.digest).toBe(await store.putBytes("hone\n"));
    expect(h2?.type === "file" && h2.digest).toBe(await store.putBytes("htwo\n"));
    expect(t1.entries["w/b/2"]).toBeUndefined();
    expect(t2.entries["w/b/2"]).toBeDefined();
    await rt.close();
    await expect(readdir(runDir)).rejects.toThrow();
  });

  it("gives two identical files of the tree two inodes (a lower links one path per store blob)", async () => {
    useOverlay = true;
    const rt = runtime();
    const same = await fileOf("same text\n");
    const dir = { type: "dir" as const, mode: 0o755 };
    const tree = { entries: { a: dir, "a/L": same, b: dir, "b/L": same } };
    const b = await rt.applyOps(
      await rt.scratch(),
      [{ op: "put", path: "/w", tree }],
      new AbortController().signal,
    );
    // tar keeps a second name of one inode as a hard link ('h'); copies, as in a container, give none
    const out = await rt.exec(
      spec(
        b,
        sh("stat -c %i /w/a/L /w/b/L; tar -cf - -C /w a b | tar -tvf - | grep -c '^h' || true"),
      ),
    );
    const [one, two, links] = out.stdout.trim().split("\n");
    expect(one).not.toBe(two);
    expect(links).toBe("0");
    await rt.close();
  });

  it.each([true, false])(
    "keeps a mount target that is also the workdir out of the result (overlay: %s)",
    async (overlay) => {
      useOverlay = overlay;
      const rt = runtime();
      const src = { entries: { "in.txt": await fileOf("x") } };
      const out = await rt.exec(
        spec(await base(rt), sh("ls"), {
          workdir: "/src",
          mounts: [{ kind: "dir", target: "/src", tree: src, readOnly: true }],
        }),
      );
      expect(out.stdout).toBe("in.txt\n");
      const tree = await store.loadTree(out.snapshot);
      expect(Object.keys(tree.entries).filter((p) => p.startsWith("src"))).toEqual([]);
      await rt.close();
    },
  );

  it.each([true, false])(
    "resolves a workdir below a symlink of the tree inside the tree, as a container would, never on the host (overlay: %s)",
    async (overlay) => {
      useOverlay = overlay;
      const rt = runtime();
      const outside = path.join(root, `outside-${overlay}`); // a host path: the sandbox's /… is the tree's
      const dir = { type: "dir" as const, mode: 0o755 };
      const tree = {
        entries: {
          abs: { type: "symlink" as const, target: outside },
          real: dir,
          "real/sub": dir,
          rel: { type: "symlink" as const, target: "real" },
          loop: { type: "symlink" as const, target: "loop" },
          file: await fileOf("f"),
          viafile: { type: "symlink" as const, target: "file" },
        },
      };
      const b = await rt.applyOps(
        await rt.scratch(),
        [{ op: "put", path: "/w", tree }],
        new AbortController().signal,
      );
      const abs = await rt.exec(spec(b, ["pwd"], { workdir: "/w/abs/sub" }));
      expect(abs.stdout).toBe(`${outside}/sub\n`); // pwd prints where the links led
      const made = Object.keys((await store.loadTree(abs.snapshot)).entries);
      expect(made).toContain(path.join(outside, "sub").slice(1));
      await expect(readdir(outside)).rejects.toThrow(); // nothing on the host
      const rel = await rt.exec(spec(b, ["pwd"], { workdir: "/w/rel/sub" }));
      expect(rel.stdout).toBe("/w/real/sub\n");
      expect(await store.loadTree(rel.snapshot)).toEqual(await store.loadTree(b));
      await expect(rt.exec(spec(b, ["pwd"], { workdir: "/w/loop/x" }))).rejects.toThrow(
        /cannot create \/w\/loop\/x .*its symlinks loop/,
      );
      await expect(rt.exec(spec(b, ["pwd"], { workdir: "/w/viafile/x" }))).rejects.toThrow(
        /cannot create \/w\/viafile\/x .*\/w\/file is a file/,
      );
      await rt.close();
    },
  );

  it("stops writing a lower directory when the runtime is closed mid-exec (Ctrl-C), and leaves nothing", async () => {
    useOverlay = true;
    const runId = `close-lower-${Math.random().toString(36).slice(2)}`;
    const rt = runtime(true, runId);
    const entries: Record<string, FileEntry | { type: "dir"; mode: number }> = {};
    for (let d = 0; d < 40; d++) {
      entries[`d${d}`] = { type: "dir", mode: 0o755 };
      for (let f = 0; f < 100; f++) entries[`d${d}/f${f}`] = await fileOf(`${d}/${f}`);
    }
    const b = await rt.applyOps(
      await rt.scratch(),
      [{ op: "put", path: "/w", tree: { entries } }],
      new AbortController().signal,
    );
    const ac = new AbortController();
    const run = rt.exec(spec(b, ["true"], { signal: ac.signal })).catch((e: unknown) => e);
    const runDir = path.join(root, "state", "host-runs", runId);
    await waitFor(async () =>
      (await readdir(runDir).catch(() => [] as string[])).some((n) => n.startsWith("lower-")),
    );
    ac.abort();
    await rt.close();
    expect(await run).toBeInstanceOf(CancelledError);
    await expect(readdir(runDir)).rejects.toThrow();
  });

  it("waits in close() for an overlay probe still running (an exec that failed before it needed the answer)", async () => {
    // the probe starts beside the first exec's store copy; a copy that fails leaves it running into close()
    for (let i = 0; i < 10; i++) {
      const rt = runtime(true, `close-probe-${i}-${Math.random().toString(36).slice(2)}`);
      const probing = rt as unknown as { overlay(entries: number): Promise<unknown> };
      let answered = false;
      const probe = probing.overlay(100).then((r) => {
        answered = true;
        return r;
      });
      await new Promise((resolve) => setTimeout(resolve, i % 4));
      await rt.close();
      expect(answered).toBe(true);
      await probe;
    }
  });

  it("opens with the sandbox probe prepareRuntime started, and only for the choice it was started for", async () => {
    const env = readEnv({ PATH: HOST_PATH, GANTRY_STATE_DIR: path.join(root, "state") });
    // a probe that answers "plain" where bubblewrap works: only a runtime that used it says so
    const said = { mode: "plain", reason: "the prepared probe's answer" } as const;
    const open = (prepared: PreparedRuntime) =>
      openRuntime({ choice: "host", store, runId: `prep-${prepared.choice}`, env, prepared });
    const used = await open({ choice: "host", sandbox: Promise.resolve(said) });
    try {
      expect(used.note).toBe("runtime: host (plain processes: the prepared probe's answer)");
    } finally {
      await used.runtime.close();
    }
    const other = await open({ choice: "auto", sandbox: Promise.resolve(said) });
    try {
      expect(other.note).toBe("runtime: host (bubblewrap)");
    } finally {
      await other.runtime.close();
    }
    // and what prepareRuntime starts for the host is the real probe
    const real = prepareRuntime("host");
    expect(await real.sandbox).toEqual({ mode: "bubblewrap" });
    expect(prepareRuntime("docker").sandbox).toBeUndefined();
  });

  it.each([
    ["", "overlayfs"],
    ["0", "copied"],
  ])(
    "GANTRY_HOST_OVERLAY=%j: exec roots as %s (an opt-out, e.g. for a tool that renames directories)",
    async (value, expected) => {
      const env = readEnv({
        PATH: HOST_PATH,
        GANTRY_STATE_DIR: path.join(root, "state"),
        ...(value ? { GANTRY_HOST_OVERLAY: value } : {}),
      });
      const { runtime: rt } = await openRuntime({
        choice: "host",
        store,
        runId: `env-${value}`,
        env,
      });
      const entries: Record<string, FileEntry> = {};
      for (let i = 0; i < 70; i++) entries[`f${i}`] = await fileOf(`${i}`);
      const b = await rt.applyOps(
        await rt.scratch(),
        [{ op: "put", path: "/w", tree: { entries } }],
        new AbortController().signal,
      );
      const out = await rt.exec(spec(b, sh("stat -f -c %T /")));
      expect(out.stdout.trim() === "overlayfs" ? "overlayfs" : "copied").toBe(expected);
      await rt.close();
    },
  );

  // setpriv needs root to become another user (CI runs as root), and `nobody` must be able to read dist/
  it.runIf(process.getuid?.() === 0)(
    "as a user who is not root: no capabilities in the sandbox, the overlay read back right, a killed run's 000 directory removed",
    async () => {
      const work = await mkdtemp(path.join(tmpdir(), "gantry-nonroot-"));
      await chmod(work, 0o777);
      const script = path.resolve("test/fixtures/host/nonroot-overlay.mjs");
      const dist = path.resolve("dist");
      const r = spawnSync(
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, script, dist, work],
        { encoding: "utf8", cwd: work, env: { PATH: HOST_PATH } },
      );
      await rm(work, { recursive: true, force: true });
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(got).toEqual({
        uid: 65534,
        stdout: "CapEff:\t0000000000000000\noverlayfs\n0\n",
        stderr: "",
        entries: ["w", "w/a", "w/a/n"],
        staleGone: true,
        runDirGone: true,
      });
    },
  );
});

describe("host runtime (plain, no sandbox)", () => {
  it("runs in the materialized workdir with relative paths", async () => {
    const rt = runtime(false);
    expect(rt.mode).toBe("plain");
    const src = { entries: { "in.txt": await fileOf("data\n") } };
    const base = await rt.applyOps(
      await rt.scratch(),
      [{ op: "put", path: "/src", tree: src }],
      new AbortController().signal,
    );
    const out = await rt.exec(
      spec(base, sh("cat in.txt > out.txt && cat out.txt"), { workdir: "/src" }),
    );
    expect(out.stdout).toBe("data\n");
    const tree = await store.loadTree(out.snapshot);
    expect(Object.keys(tree.entries).sort()).toEqual(["src", "src/in.txt", "src/out.txt"]);
    await expect(rt.exec(spec(base, ["/src/in.txt"]))).rejects.toThrow(
      /without bubblewrap cannot show container path/,
    );
  });

  it("places mounts in the upper and keeps them out of the snapshot", async () => {
    const rt = runtime(false);
    const out = await rt.exec(
      spec(await rt.scratch(), sh("cat secret; echo v > cache/f; ls"), {
        workdir: "/w",
        mounts: [
          { kind: "secret", target: "/w/secret", value: "pst", mode: 0o400 },
          { kind: "cache", target: "/w/cache", volume: "plain-cache", sharing: "SHARED" },
        ],
      }),
    );
    expect(out.stdout).toBe("pstcache\nsecret\n");
    expect(Object.keys((await store.loadTree(out.snapshot)).entries)).toEqual(["w"]);
  });
});

/** Host pids whose command line contains `text` (the sandbox shares nothing but the kernel's process list). */
async function findProcesses(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    if (cmdline.replace(/\0/g, " ").includes(text) && !cmdline.includes("sh\0-c"))
      pids.push(Number(name));
  }
  return pids;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
