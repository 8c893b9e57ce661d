// `gantry cache ls|prune|gc` and the size limit against the real engine, through the CLI as a person runs it.
// Every run here uses its own tags (keys), cache volume names and state dir: the engine is shared with other tests.
import { MTIME_SLACK_MS } from "../../src/store/cache/run-leases.js";
import { describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { docker, makeStateDir, runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");
const MOD = path.join(ROOT, "test/fixtures/cache-module");

function gantry(state: string, args: string[], env: Record<string, string> = {}) {
  return runCommand("node", [BIN, ...args], {
    env: { GANTRY_STATE_DIR: state, ...env },
    timeoutMs: 180_000,
  });
}

// `cache ls --json` as an object.
async function ls(state: string) {
  const r = await gantry(state, ["cache", "ls", "--json"]);
  expect(r.status, r.out).toBe(0);
  return JSON.parse(r.stdout) as {
    counted: { total: number; stateDir: number; engine: number };
    parts: { name: string; bytes: number; files: number; lastUsed?: number }[];
    images: { id: string; tags: string[]; size: number; lastUsed: number }[];
    volumes: { name: string; cache: string; lastUsed: number }[];
  };
}

// `docker inspect` answers (quietly: a miss is an expected answer here, not noise on the test's output).
function inspects(kind: "image" | "volume", ref: string): boolean {
  try {
    execFileSync("docker", [kind, "inspect", ref], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}
const imageExists = (ref: string) => inspects("image", ref);
const volumeExists = (name: string) => inspects("volume", name);

const tag = () => randomBytes(4).toString("hex");
const answer = (t: string) => `one-${t}\ntwo-${t}\nthree-${t}\n`;

describe("cache size (real engine)", () => {
  it("cache ls shows the state dir's parts and the engine's images, and the sizes change after a run", async () => {
    const state = await makeStateDir();
    const before = await ls(state);
    expect(before.images).toEqual([]);
    const t = tag();
    const run = await gantry(state, ["call", "-m", MOD, "steps", `--tag=${t}`]);
    expect(run.status, run.out).toBe(0);
    const after = await ls(state);
    // two steps each write 300 kB into their snapshot; the third's filesystem is never read, so never committed
    // (docs/design-notes/performance.md, Decision 10): three records, two images
    expect(after.counted.total).toBeGreaterThan(before.counted.total + 600_000);
    expect(after.images).toHaveLength(2);
    expect(after.images.every((i) => i.lastUsed > Date.now() - 600_000)).toBe(true);
    const exec = after.parts.find((p) => p.name === "store/records/exec");
    expect(exec?.files).toBe(3);
    const text = await gantry(state, ["cache", "ls"]);
    expect(text.stdout).toMatch(/exec records \(cached step results\)/);
    expect(text.stdout).toMatch(/images this state dir's records name: 2 \(600\.0 kB\)/);
    expect(text.stdout).toMatch(/run records — .*cache-module \(not counted\)/);
  });

  it("gc under a small limit evicts the least recently used first; the next run says so and still answers right", async () => {
    const state = await makeStateDir();
    const [a, b] = [tag(), tag()];
    for (const t of [a, b, a]) {
      const r = await gantry(state, ["call", "-m", MOD, "steps", `--tag=${t}`]);
      expect(r.status, r.out).toBe(0);
      expect(r.stdout).toBe(answer(t));
    }
    // a was used last: a limit that needs about one chain's room takes b's
    const { counted } = await ls(state);
    const gc = await gantry(state, [
      "cache",
      "gc",
      "--limit",
      String(Math.floor(counted.total * 0.8)),
    ]);
    expect(gc.status, gc.out).toBe(0);
    expect(gc.stdout).toMatch(/removed: \d+ records/);
    const again = await gantry(state, ["call", "-m", MOD, "steps", `--tag=${a}`]);
    expect(again.stdout).toBe(answer(a));
    expect(again.stderr).not.toMatch(/evicted/);
    expect(again.stderr.match(/● withExec .*\(cached\)/g)).toHaveLength(3);
    expect(again.stderr).not.toMatch(/✔ withExec/);
    const evicted = await gantry(state, ["call", "-m", MOD, "steps", `--tag=${b}`, "--explain"]);
    expect(evicted.status, evicted.out).toBe(0);
    expect(evicted.stdout).toBe(answer(b));
    expect(evicted.stderr).toMatch(
      /ran because|its cached result was evicted by cache gc on \d{4}-\d\d-\d\d \d\d:\d\d UTC \(size limit\); raise the limit \(GANTRY_CACHE_LIMIT\)/,
    );
    expect(evicted.stderr).toMatch(/why: its cached result was evicted by cache gc/);
  });

  it("a run over GANTRY_CACHE_LIMIT collects after it ends and says so; the next run names the eviction", async () => {
    const state = await makeStateDir();
    const t = tag();
    const env = { GANTRY_CACHE_LIMIT: "100kB" };
    const first = await gantry(state, ["call", "-m", MOD, "steps", `--tag=${t}`], env);
    expect(first.status, first.out).toBe(0);
    expect(first.stdout).toBe(answer(t));
    expect(first.stderr).toMatch(
      /cache: .* was over the limit of 100\.0 kB: cache gc removed \d+ entries/,
    );
    const second = await gantry(state, ["call", "-m", MOD, "steps", `--tag=${t}`], env);
    expect(second.stdout).toBe(answer(t));
    expect(second.stderr).toMatch(/its cached result was evicted by cache gc on/);
    expect((await ls(state)).counted.total).toBeLessThan(700_000);
  });

  it("prune keeps what a concurrent running run made and used, and that run succeeds", async () => {
    const state = await makeStateDir();
    const [old, held] = [tag(), tag()];
    const first = await gantry(state, ["call", "-m", MOD, "steps", `--tag=${old}`]);
    expect(first.status, first.out).toBe(0);
    const oldImages = (await ls(state)).images.map((i) => i.id);
    // what a run used within MTIME_SLACK_MS before another run's lease began counts as that run's (coarse file
    // times): the earlier run must really be earlier, or a fast machine keeps its last record (seen in CI)
    await new Promise((r) => setTimeout(r, MTIME_SLACK_MS + 1000));
    const child = spawn("node", [BIN, "call", "-m", MOD, "hold", `--tag=${held}`, "--seconds=30"], {
      env: { ...process.env, CI: "true", GANTRY_STATE_DIR: state },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", () => /▶ withExec sh -c "sleep 30/.test(err) && resolve());
        void exited.then(() => reject(new Error(`the held run ended early:\n${err}`)));
      });
      const prune = await gantry(state, ["cache", "prune", "--json"]);
      expect(prune.status, prune.out).toBe(0);
      const result = JSON.parse(prune.stdout) as {
        removed: { what: string; name: string }[];
        runsInProgress: { runId: string }[];
        keptInUse: number;
      };
      expect(result.runsInProgress).toHaveLength(1);
      expect(result.keptInUse).toBeGreaterThan(0);
      // the earlier run's results went, images included
      expect(
        result.removed.filter((r) => r.what === "record" && r.name.startsWith("exec/")),
      ).toHaveLength(3);
      for (const id of oldImages) expect(imageExists(id)).toBe(false);
      // the held run's first step (its record, its image, its cache volume) stayed
      const during = await ls(state);
      expect(during.images).toHaveLength(1);
      expect(imageExists(during.images[0]!.id)).toBe(true);
      expect(volumeExists(`gantry-cache-cache-it-${held}`)).toBe(true);
      expect(await exited).toBe(0);
      expect(out).toBe(`held-${held}\ndone\n`);
    } finally {
      child.kill("SIGKILL");
    }
    // once it ended, its results are the most recent and come from cache
    const rerun = await gantry(state, ["call", "-m", MOD, "hold", `--tag=${held}`, "--seconds=30"]);
    expect(rerun.status, rerun.out).toBe(0);
    expect(rerun.stderr).toMatch(/● withExec sh -c "sleep 30 .*\(cached\)/);
    expect(rerun.stderr).not.toMatch(/✔ withExec/);
    // and a prune with no run in progress takes its cache volume too
    const last = await gantry(state, ["cache", "prune"]);
    expect(last.stdout).toMatch(/1 cache volumes/);
    expect(volumeExists(`gantry-cache-cache-it-${held}`)).toBe(false);
  });

  it("never touches engine objects without Gantry's labels, a person's tag on a Gantry image, or another state dir's", async () => {
    const [state, other] = [await makeStateDir(), await makeStateDir()];
    const t = tag();
    const plain = `cache-it-user/plain:${t}`;
    const release = `cache-it-user/release:${t}`;
    const userVolume = `cache-it-user-${t}`;
    try {
      docker(["tag", "gantry-test/busybox:latest", plain]);
      docker(["volume", "create", userVolume]);
      for (const s of [state, other]) {
        const r = await gantry(s, [
          "call",
          "-m",
          MOD,
          "steps",
          `--tag=${t}-${s === state ? "mine" : "other"}`,
        ]);
        expect(r.status, r.out).toBe(0);
      }
      const mine = (await ls(state)).images;
      const theirs = (await ls(other)).images.map((i) => i.id);
      docker(["tag", mine[0]!.id, release]);
      const prune = await gantry(state, ["cache", "prune", "--all"]);
      expect(prune.status, prune.out).toBe(0);
      expect(imageExists(plain)).toBe(true);
      expect(imageExists("gantry-test/busybox:latest")).toBe(true);
      expect(volumeExists(userVolume)).toBe(true);
      expect(imageExists(release)).toBe(true);
      // the others lost Gantry's tags (an image another is built on stays, untagged, until its child goes)
      for (const img of mine.slice(1)) expect(imageExists(img.tags[0]!)).toBe(false);
      expect(mine.slice(1).every((i) => i.tags[0]?.startsWith("gantry-cache:"))).toBe(true);
      for (const id of theirs) expect(imageExists(id)).toBe(true);
      const still = await gantry(other, ["call", "-m", MOD, "steps", `--tag=${t}-other`]);
      expect(still.stdout).toBe(answer(`${t}-other`));
      expect(still.stderr.match(/● withExec .*\(cached\)/g)).toHaveLength(3);
      expect(still.stderr).not.toMatch(/✔ withExec/);
    } finally {
      for (const ref of [plain, release]) await runCommand("docker", ["rmi", ref]);
      await runCommand("docker", ["volume", "rm", userVolume]);
    }
  });
});
