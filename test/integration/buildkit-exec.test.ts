// Execs through the engine's BuildKit (experimental, DockerRuntimeOptions.buildkitExec): the real engine, no mocks.
// Each exec can tell where it ran: BuildKit's execs see the shim's scratch mount at /dev/.gantry-exec.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  defaultExecSpec,
  snapshotOf,
  useDockerRuntimeFixture,
} from "../helpers/docker-runtime-fixture.js";
import { CancelledError } from "../../src/errors.js";
import type { ExecSpec, ResolvedImage } from "../../src/runtime/runtime.js";
import type { FileEntry, Tree, TreeEntry } from "../../src/store/tree.js";

const run = promisify(execFile);
const BUSYBOX = "gantry-test/busybox:latest";
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

async function fileEntry(content: string, mode = 0o644): Promise<FileEntry> {
  return {
    type: "file",
    mode,
    digest: await fx.store.putBytes(content),
    size: Buffer.byteLength(content),
  };
}

async function tree(files: Record<string, string>): Promise<Tree> {
  const entries: Record<string, TreeEntry> = {};
  for (const [name, content] of Object.entries(files)) {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++)
      entries[parts.slice(0, i).join("/")] = { type: "dir", mode: 0o755 };
    entries[name] = await fileEntry(content, name.endsWith(".sh") ? 0o755 : 0o644);
  }
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
          "cat /etc/gantry-motd; ls /home 2>/dev/null || echo no-home; echo made > /made",
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
    expect(outcome).toMatchObject({
      exitCode: 0,
      stdout: "buildkit\nX\ndash\ndot\na/x.txt\nran\n1000:1001\nmotd\nno-home\n",
    });
    const snapshot = await snapshotOf(outcome);
    const made = await rt.readFile(snapshot, "/made", never);
    expect((await fx.store.readBlob(made.digest)).toString()).toBe("made\n");
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
    expect(next.stdout).toBe("buildkit\nmade\nX\n");
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

  it("leaves the image's variables the exec no longer has unset, and gives tmpfs mounts", async () => {
    const rt = newRuntime();
    const first = await rt.exec(spec(["true"], { env: [...busybox.config.env, "FOO=1"] }));
    const second = await rt.exec(
      spec(["sh", "-c", `${WHERE}; echo \${FOO-unset}; grep -c ' /scratch tmpfs' /proc/mounts`], {
        base: await snapshotOf(first),
        mounts: [{ kind: "tmp", target: "/scratch" }],
      }),
    );
    expect(second.stdout).toBe("buildkit\nunset\n1\n");
  });

  it("says what docker says for a command that cannot start, and never runs a shell builtin", async () => {
    const rt = newRuntime();
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

  it("removes the run's tags of its base images when it closes, and the images stay", async () => {
    const rt = newRuntime();
    const outcome = await rt.exec(spec(["sh", "-c", WHERE]));
    expect(outcome.stdout).toBe("buildkit\n");
    const tags = async () =>
      (await run("docker", ["images", "--format", "{{.Tag}}", "gantry-buildkit-base"])).stdout
        .split("\n")
        .filter((t) => t.endsWith(fx.runIdOf(rt)));
    expect(await tags()).toHaveLength(1);
    await rt.close();
    expect(await tags()).toEqual([]);
    await run("docker", ["image", "inspect", busybox.id]);
  });
});
