// The bundled compose setup (examples/compose-integration) reaches the same validator result under Debian's
// real docker-compose and under `gantry compose`, and as a Gantry pipeline function.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
// A temp copy of the example and a temp state dir: runs write traces and compose state, never into the repository.
const WORK = mkdtempSync(path.join(os.tmpdir(), "gantry-compose-example-"));
const DIR = path.join(WORK, "compose-integration");
cpSync(path.join(ROOT, "examples/compose-integration"), DIR, { recursive: true });
const BIN = path.join(ROOT, "bin/gantry.js");

function sh(cmd: string, args: string[], env: Record<string, string> = {}) {
  return runCommand(cmd, args, {
    cwd: DIR,
    env: { GANTRY_STATE_DIR: path.join(WORK, "state"), ...env },
  });
}

async function dockerCompose(project: string, env: Record<string, string> = {}) {
  const base = ["-p", project, "--profile", "test"];
  try {
    return await sh("docker-compose", [...base, "run", "--rm", "validator"], env);
  } finally {
    await sh("docker-compose", [...base, "down", "-v", "--remove-orphans", "--rmi", "local"], env);
  }
}

const hasCompose = spawnSync("docker-compose", ["version"]).status === 0;

describe("compose example", () => {
  // CI installs docker-compose; a CI machine without it must not pass by skipping the comparisons.
  it.runIf(process.env.CI === "true" || process.env.CI === "1")(
    "docker-compose is on PATH in CI, so the comparisons below run",
    () => {
      expect(
        hasCompose,
        "docker-compose not found on PATH: install it (apt-get install docker-compose)",
      ).toBe(true);
    },
  );

  it.runIf(hasCompose)("passes under docker-compose and under gantry compose alike", async () => {
    const real = await dockerCompose(`gantrycmp${Date.now()}`);
    const ours = await sh("node", [BIN, "compose", "--profile", "test", "run", "validator"]);
    expect(real.out).toContain("validator: all checks passed");
    expect(ours.out).toContain("validator: all checks passed");
    expect(ours.status).toBe(real.status);
    expect(ours.status).toBe(0);
  });

  it.runIf(hasCompose)("fails the same way under both when the validator fails", async () => {
    const env = { EXPECT_ITEMS: "99" };
    const real = await dockerCompose(`gantrycmpf${Date.now()}`, env);
    const ours = await sh("node", [BIN, "compose", "--profile", "test", "run", "validator"], env);
    expect(real.status).toBe(1);
    expect(ours.status).toBe(real.status);
    for (const r of [real, ours])
      expect(r.out).toContain("validator: FAIL: expected 99 items, found 3");
  });

  it("runs as a pipeline function: builds and smoke-runs every image, then validates", async () => {
    const ok = await sh("node", [BIN, "call", "integration"]);
    expect(ok.out).toContain("validator: all checks passed");
    expect(ok.status).toBe(0);
    // four images built (migrate, api, worker, validator) and each smoke-run with `echo ok`
    expect((ok.out.match(/▶ withExec echo ok/g) ?? []).length).toBe(4);
    const bad = await sh("node", [BIN, "call", "integration", "--expect-items=99"]);
    // nothing changed in the build contexts: the second run rebuilds none of the four images
    const builds = bad.out.match(/ docker build test\/containers\/\w+: Dockerfile.*$/gm) ?? [];
    expect(builds.filter((l) => l.includes("(cached)"))).toHaveLength(4);
    expect(builds.filter((l) => l.includes("✔"))).toEqual([]);
    expect(bad.status).toBe(1);
    expect(bad.out).toContain("exited with code 1");
    expect(bad.out).toContain("validator: FAIL: expected 99 items, found 3");
  });
});
