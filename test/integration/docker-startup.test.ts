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
      process.on("exit", () => {
        const loaded = Object.keys(Module._cache);
        const heavy = loaded.filter((f) => /node_modules\\/(@grpc|ssh2|protobufjs|bl|pump|tar-fs\\/node_modules)\\//.test(f));
        const client = loaded.filter((f) => f.includes("node_modules/dockerode/")).length;
        process.stderr.write("DOCKERODE " + loadedBy + "\\nHEAVY " + JSON.stringify({ heavy, client }) + "\\n");
      });`,
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
    // and the client Gantry loads leaves out dockerode's grpc session, docker-modem's ssh2 and tar-fs's packer
    // (client: dockerode's own files in the require cache, which shows the list is the real one)
    const loaded = JSON.parse(/^HEAVY (.*)$/m.exec(first.stderr)?.[1] ?? "{}") as object;
    expect(loaded).toMatchObject({ heavy: [], client: expect.any(Number) });
    expect((loaded as { client: number }).client).toBeGreaterThan(0);
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
