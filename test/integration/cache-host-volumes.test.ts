// The host runtime's cache volumes (folders of the state dir) in `cache ls|gc|prune` and the after-run estimate: sized
// one by one, collected least recently used first like the engine's, and kept while a running run uses them.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import path from "node:path";
import { readUsage } from "../../src/store/cache/usage-ledger.js";
import { makeStateDir, runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");
const MOD = path.join(ROOT, "test/fixtures/cache-module");

function gantry(state: string, args: string[], env: Record<string, string> = {}) {
  return runCommand("node", [BIN, "--runtime", "host", ...args], {
    env: { GANTRY_STATE_DIR: state, ...env },
    timeoutMs: 120_000,
  });
}

// A run of the fixture module on the host runtime that must succeed.
async function call(state: string, args: string[], env: Record<string, string> = {}) {
  const r = await gantry(state, ["call", "-m", MOD, ...args], env);
  expect(r.status, r.out).toBe(0);
  return r;
}

const exists = async (p: string) => (await stat(p).catch(() => undefined)) !== undefined;
const tag = () => randomBytes(4).toString("hex");

describe("host runtime cache volumes in the cache's size", () => {
  it("are sized one by one, counted in the estimate when they grow, and collected least recently used first", async () => {
    const state = await makeStateDir();
    const [a, b] = [tag(), tag()];
    const env = { GANTRY_CACHE_LIMIT: "1000GB" };
    await call(state, ["grow", `--tag=${a}`, "--kb=300"], env); // starts the ledger
    await call(state, ["grow", `--tag=${b}`, "--kb=300"], env);
    expect((await readUsage(state))!.addedSince).toBeGreaterThan(300_000);
    const ls = await gantry(state, ["cache", "ls", "--json"]);
    const vols = (JSON.parse(ls.stdout) as { volumes: { name: string; size: number }[] }).volumes;
    expect(vols.map((v) => `${v.name} ${v.size}`).sort()).toEqual(
      [`cache-volumes/grow-${a} 300000`, `cache-volumes/grow-${b} 300000`].sort(),
    );
    const total = (JSON.parse(ls.stdout) as { counted: { total: number } }).counted.total;
    const gc = await gantry(state, ["cache", "gc", "--limit", String(total - 200_000)]);
    expect(gc.status, gc.out).toBe(0);
    expect(gc.stdout).toMatch(/1 cache volumes \(300\.0 kB\)/);
    expect(await exists(path.join(state, "cache-volumes", `grow-${a}`))).toBe(false);
    expect(await exists(path.join(state, "cache-volumes", `grow-${b}`))).toBe(true);
  });

  it("prune takes the ones a running run has not used and keeps the one it uses", async () => {
    const state = await makeStateDir();
    const [old, held] = [tag(), tag()];
    await call(state, ["grow", `--tag=${old}`, "--kb=100"]);
    await new Promise((r) => setTimeout(r, 3000)); // really before the held run's lease (file times are coarse)
    const child = spawn(
      "node",
      [BIN, "--runtime", "host", "call", "-m", MOD, "hold", `--tag=${held}`, "--seconds=20"],
      {
        env: { ...process.env, CI: "true", GANTRY_STATE_DIR: state },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", () => /▶ withExec sh -c "sleep 20/.test(err) && resolve());
        void exited.then(() => reject(new Error(`the held run ended early:\n${err}`)));
      });
      const prune = await gantry(state, ["cache", "prune", "--json"]);
      expect(prune.status, prune.out).toBe(0);
      const removed = (JSON.parse(prune.stdout) as { removed: { what: string; name: string }[] })
        .removed;
      expect(removed.filter((r) => r.what === "volume").map((r) => r.name)).toEqual([
        `cache-volumes/grow-${old}`,
      ]);
      expect(await exists(path.join(state, "cache-volumes", `cache-it-${held}`))).toBe(true);
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
