// Start-up cost: the docker client Gantry loads leaves out dockerode's grpc session and docker-modem's ssh2 (about
// 140 ms of every run here) and tar-fs (dockerode packs folders with it; Gantry never asks it to), and still talks to
// the engine.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUSYBOX, makeStateDir, runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("docker client start-up", () => {
  it("connects and lists containers without loading grpc, ssh2, protobufjs or tar-fs's tar packer", async () => {
    const script = `
      import { createRequire } from "node:module";
      const { connectDocker } = await import(${JSON.stringify(path.join(ROOT, "dist/runtime/docker/connection/connect-docker.js"))});
      const { readEnv } = await import(${JSON.stringify(path.join(ROOT, "dist/env.js"))});
      const { docker } = await connectDocker(readEnv());
      const containers = await docker.listContainers({ all: true });
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        listed: Array.isArray(containers),
        heavy: loaded.filter((f) => /node_modules\\/(@grpc|ssh2|protobufjs|bl|pump|tar-fs\\/node_modules)\\//.test(f)),
        dockerode: loaded.some((f) => f.includes("node_modules/dockerode/")),
      }));
    `;
    const r = await runCommand("node", ["--input-type=module", "-e", script]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ listed: true, heavy: [], dockerode: true });
  });

  it("a run whose every step is cached never loads dockerode: the ping and the image inspects are plain requests", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-lean-"));
    await mkdir(path.join(dir, ".gantry/src"), { recursive: true });
    await writeFile(path.join(dir, "gantry.json"), '{ "name": "lean", "source": ".gantry" }');
    await writeFile(
      path.join(dir, ".gantry/src/index.ts"),
      `import { dag, object, func } from "@dagger.io/dagger";
      @object()
      export class Lean {
        @func()
        async hello(): Promise<string> {
          return dag.container().from(${JSON.stringify(BUSYBOX)}).withExec(["sh", "-c", "echo hi from busybox"]).stdout();
        }
      }`,
    );
    // prints, at exit, where dockerode was first loaded from (its stack), or "none"
    const hook = path.join(dir, "hook.mjs");
    await writeFile(
      hook,
      `import Module from "node:module";
      let loadedBy = "none";
      const load = Module._load;
      Module._load = function (request, ...rest) {
        if (request === "dockerode" && loadedBy === "none") loadedBy = new Error().stack.replace(/\\n/g, " ");
        return load.call(this, request, ...rest);
      };
      process.on("exit", () => process.stderr.write("DOCKERODE " + loadedBy + "\\n"));`,
    );
    const env = { GANTRY_STATE_DIR: await makeStateDir() };
    const call = () =>
      runCommand(
        "node",
        ["--import", hook, path.join(ROOT, "bin/gantry.js"), "call", "-m", dir, "hello"],
        { env },
      );
    const first = await call();
    expect(first.status, first.out).toBe(0);
    expect(first.stdout).toContain("hi from busybox");
    const loadedBy = (out: string): string => /^DOCKERODE (.*)$/m.exec(out)?.[1] ?? "";
    // the exec ran, so the container API loaded the client: proves the hook sees a load
    expect(loadedBy(first.stderr)).not.toBe("none");
    const second = await call();
    expect(second.status, second.out).toBe(0);
    expect(second.stdout).toContain("hi from busybox");
    expect(second.stderr).toContain("(cached)");
    // the reaper may meet leftovers of dead runs (other tests kill runs) and then needs the client to remove them
    const by = loadedBy(second.stderr);
    // (dist/ is bundled: the reaper's code is in dist/chunks/reaper-<hash>.js)
    if (by !== "none") expect(by).toMatch(/reapStale \(.*reaper(-[A-Z0-9]+)?\.js/);
  });
});
