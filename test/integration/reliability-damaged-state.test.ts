// Damaged state: every file of a state dir overwritten in the middle, then the same pipeline again. Nothing
// damaged may be trusted (a record, a tree, a blob, a bundle, a signature): the answer must be the right one.
import { readdir, lstat, open, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gantryCli, PIPELINE_ANSWER, reliabilityWork } from "../helpers/reliability-fixture.js";

const { work, mod, src } = reliabilityWork();
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

// Every regular file under `dir`.
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const abs = path.join(dir, name);
    const st = await lstat(abs);
    if (st.isDirectory()) out.push(...(await filesUnder(abs)));
    else if (st.isFile()) out.push(abs);
  }
  return out;
}

// Overwrite up to 8 bytes in the middle of each non-empty file with different bytes; how many were damaged.
async function damageAll(dir: string): Promise<number> {
  let damaged = 0;
  for (const file of await filesUnder(dir)) {
    const fh = await open(file, "r+");
    try {
      const { size } = await fh.stat();
      if (size === 0) continue;
      const at = Math.floor(size / 2);
      const len = Math.min(8, size - at);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, at);
      for (let i = 0; i < len; i++) buf[i] = (buf[i] as number) ^ 0x5a;
      await fh.write(buf, 0, len, at);
      damaged++;
    } finally {
      await fh.close();
    }
  }
  return damaged;
}

describe("a damaged state dir", () => {
  it.each(["docker", "host"])(
    "is never trusted on the %s runtime: after every file is damaged, the next runs give the right answer",
    async (runtime) => {
      const state = path.join(work, `state-${runtime}`);
      const call = () =>
        gantryCli(["call", "-m", mod, `--runtime=${runtime}`, "pipeline", `--source=${src}`], {
          GANTRY_STATE_DIR: state,
        });
      const first = await call();
      expect(first.status, first.out).toBe(0);
      expect(first.stdout).toBe(PIPELINE_ANSWER);
      const warm = await call();
      expect(warm.stdout).toBe(PIPELINE_ANSWER);

      const damaged = await damageAll(state);
      expect(damaged).toBeGreaterThan(10); // records, trees, blobs, the bundle, the signature, traces
      const after = await call();
      expect(after.status, after.out).toBe(0);
      expect(after.stdout).toBe(PIPELINE_ANSWER);
      // and the state it rebuilt is sound: damaged again, still right
      await damageAll(state);
      const again = await call();
      expect(again.status, again.out).toBe(0);
      expect(again.stdout).toBe(PIPELINE_ANSWER);
    },
  );
});
