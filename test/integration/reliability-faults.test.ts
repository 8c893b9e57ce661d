// Faults a CI runner meets: the engine going away mid-run, the CLI killed mid-step. Each ends with an error that
// names the cause and what to do (no stack, no hang), and the next run cleans up and gives the right answer.
import { execFileSync, spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BIN,
  gantryCli,
  PIPELINE_ANSWER,
  reliabilityWork,
} from "../helpers/reliability-fixture.js";
import { startEngineProxy } from "../helpers/engine-proxy.js";
import { leftovers } from "../helpers/run-leftovers.js";
import { unsealText } from "../../src/store/sealed-file.js";

const { work, mod, src } = reliabilityWork();
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

// Start `long` and resolve once its step printed; a hard timeout stands for "hung".
function startLong(env: Record<string, string>) {
  const child = spawn("node", [BIN, "call", "-m", mod, "long", `--nonce=${Math.random()}`], {
    env: { ...process.env, CI: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const hang = setTimeout(() => child.kill("SIGKILL"), 90_000);
  const closed = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(hang);
      resolve({ code, signal });
    }),
  );
  const started = new Promise<void>((resolve, reject) => {
    child.stderr.on("data", () => {
      if (stderr.includes("│ started")) resolve();
    });
    void closed.then(() => reject(new Error(`gantry ended before the step started:\n${stderr}`)));
  });
  return { child, started, closed, stderr: () => stderr };
}

describe("faults", () => {
  it("the engine gone mid-step: a clear error naming it, no hang; the next run cleans up and is right", async () => {
    const state = path.join(work, "state-engine");
    const proxy = await startEngineProxy(path.join(work, "engine.sock"));
    const run = startLong({ GANTRY_STATE_DIR: state, DOCKER_HOST: proxy.dockerHost });
    await run.started;
    await proxy.cut();
    const { code, signal } = await run.closed;
    expect(signal, "the CLI hung and was killed").toBeNull();
    expect(code).toBe(1);
    expect(run.stderr()).toMatch(/Error: the Docker engine stopped answering while /);
    expect(run.stderr()).toMatch(/Hint: check that Docker is still running \(docker info\)/);
    expect(run.stderr()).not.toMatch(/^\s+at /m);
    // the cut run could not remove what it made: the step's container (or, its exec through BuildKit, the run's base
    // tag: BuildKit ends a solve whose client is gone)
    expect(leftovers(run.child.pid!)).not.toBe("");

    const next = await gantryCli(["call", "-m", mod, "pipeline", `--source=${src}`], {
      GANTRY_STATE_DIR: state,
    });
    expect(next.status, next.out).toBe(0);
    expect(next.stdout).toBe(PIPELINE_ANSWER);
    expect(leftovers(run.child.pid!)).toBe("");
  });

  // Mounting a tmpfs needs root (CI runs as root here).
  it.skipIf(process.getuid?.() !== 0)(
    "the state dir's disk full: a clear error naming it; freed, the next run is right and no record is half-written",
    async () => {
      const disk = path.join(work, "small-disk");
      await mkdir(disk);
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", disk]);
      try {
        const state = path.join(disk, "state");
        // leave 40 KiB: enough to start, not enough for the run's records and trees
        await writeFile(path.join(disk, "filler"), Buffer.alloc(3 * 1024 * 1024 - 40 * 1024));
        const full = await gantryCli(["call", "-m", mod, "pipeline", `--source=${src}`], {
          GANTRY_STATE_DIR: state,
        });
        expect(full.status).toBe(1);
        // which write meets the full disk first depends on timing (the state dir's id, a record, a tree): any of
        // them must name the state dir (or the part of it) and say what to do
        expect(full.stderr).toMatch(
          /Error: cannot write .* to Gantry's state dir \(.*small-disk\/state(\/store)?\): no space left/,
        );
        expect(full.stderr).toMatch(/Hint: free some space there, or point GANTRY_STATE_DIR/);
        expect(full.stderr).not.toMatch(/^\s+at /m);

        await rm(path.join(disk, "filler"));
        const next = await gantryCli(["call", "-m", mod, "pipeline", `--source=${src}`], {
          GANTRY_STATE_DIR: state,
        });
        expect(next.status, next.out).toBe(0);
        expect(next.stdout).toBe(PIPELINE_ANSWER);
        const records = path.join(state, "store/records");
        for (const e of await readdir(records, { recursive: true, withFileTypes: true })) {
          if (!e.isFile()) continue;
          const file = path.join(e.parentPath, e.name);
          expect(unsealText(await readFile(file, "utf8")), file).toBeDefined();
        }
        expect(await readdir(path.join(state, "store/tmp"))).toEqual([]);
      } finally {
        execFileSync("umount", [disk]);
      }
    },
  );
});
