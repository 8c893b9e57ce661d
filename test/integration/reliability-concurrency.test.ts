// Four runs of the same pipeline at once, one engine, one state dir: all right and alike, the step they all
// need runs once, a LOCKED cache volume admits one of them at a time, and no record is left damaged.
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gantryCli, PIPELINE_ANSWER, reliabilityWork } from "../helpers/reliability-fixture.js";
import { docker } from "../helpers/test-session.js";
import { unsealText } from "../../src/store/sealed-file.js";

const { work, mod, src } = reliabilityWork();
const nonce = Math.random().toString(36).slice(2);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  for (const v of ["count", "lock"]) {
    try {
      docker(["volume", "rm", "-f", `gantry-cache-reliability-${v}-${nonce}`]);
    } catch {
      // already gone
    }
  }
});

// Every file under `dir`, recursively.
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(abs)));
    else out.push(abs);
  }
  return out;
}

describe("four runs at once on one state dir", () => {
  it("all succeed alike; the shared step runs once, LOCKED is exclusive, every record is intact", async () => {
    const state = path.join(work, "state");
    const env = { GANTRY_STATE_DIR: state };
    const runs = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        gantryCli(["call", "-m", mod, "together", `--nonce=${nonce}`, `--run=${i}`], env),
      ),
    );
    for (const r of runs) expect(r.status, r.out).toBe(0);
    expect(runs.map((r) => r.stdout)).toEqual(Array(4).fill(`result-${nonce} alone\n`));

    const count = await gantryCli(["call", "-m", mod, "count-runs", `--nonce=${nonce}`], env);
    expect(count.stdout.trim()).toBe("1");

    const pipelines = await Promise.all(
      [1, 2, 3, 4].map(() => gantryCli(["call", "-m", mod, "pipeline", `--source=${src}`], env)),
    );
    for (const r of pipelines) expect(r.status, r.out).toBe(0);
    expect(pipelines.map((r) => r.stdout)).toEqual(Array(4).fill(PIPELINE_ANSWER));

    const records = await filesUnder(path.join(state, "store/records"));
    expect(records.length).toBeGreaterThan(5);
    for (const f of records) expect(unsealText(await readFile(f, "utf8")), f).toBeDefined();
    expect(await readdir(path.join(state, "store/locks"))).toEqual([]);
  });
});
