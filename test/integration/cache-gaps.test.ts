// The cache's engine side against the real engine, through the CLI: orphans (a deleted state dir's images and cache
// volumes, a state dir's own images no record names), services' cache volumes marked used, and the after-run
// estimate seeing image builds and cache volumes that grew. Every run uses its own tags and state dirs.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { readUsage } from "../../src/store/cache/usage-ledger.js";
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

// A run of the fixture module that must succeed.
async function call(state: string, args: string[], env: Record<string, string> = {}) {
  const r = await gantry(state, ["call", "-m", MOD, ...args], env);
  expect(r.status, r.out).toBe(0);
  return r;
}

type Img = { id: string; tags: string[]; size: number; orphan?: string };
type Vol = { name: string; cache: string; lastUsed: number; size?: number; orphan?: string };

// `cache ls --json` as an object.
async function ls(state: string) {
  const r = await gantry(state, ["cache", "ls", "--json"]);
  expect(r.status, r.out).toBe(0);
  return JSON.parse(r.stdout) as {
    counted: { total: number; stateDir: number; engine: number };
    images: Img[];
    volumes: Vol[];
    orphans: { images: Img[]; volumes: Vol[]; countedBytes: number; goneBytes: number };
  };
}

// `docker inspect` answers (quietly: a miss is an expected answer here).
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

describe("cache orphans, services' cache volumes and the after-run estimate (real engine)", () => {
  it("prune --all removes a deleted state dir's images and cache volumes; keeps a live one's, a shared volume it used, a user tag", async () => {
    const [gone, live, here] = [await makeStateDir(), await makeStateDir(), await makeStateDir()];
    const [t, shared] = [tag(), tag()];
    const userRef = `cache-it-user/orphan:${t}`;
    try {
      await call(gone, ["steps", `--tag=${t}-gone`]);
      await call(gone, ["hold", `--tag=${t}`, "--seconds=0"]);
      await call(gone, ["hold", `--tag=${shared}`, "--seconds=0"]); // made by `gone`, used by `live` too
      await call(live, ["steps", `--tag=${t}-live`]);
      await call(live, ["hold", `--tag=${shared}`, "--seconds=0"]);
      const goneImages = (await ls(gone)).images;
      const liveImages = (await ls(live)).images;
      expect(goneImages.length).toBeGreaterThanOrEqual(4);
      const kept = goneImages.find((i) => i.tags.some((x) => x.startsWith("gantry-cache:")));
      docker(["tag", kept!.id, userRef]);
      await rm(gone, { recursive: true, force: true });

      const seen = await ls(here);
      const orphanIds = seen.orphans.images.filter((i) => i.orphan === "gone").map((i) => i.id);
      for (const img of goneImages) if (img.id !== kept!.id) expect(orphanIds).toContain(img.id);
      expect(orphanIds).not.toContain(kept!.id); // a person's tag: never an orphan
      expect(seen.orphans.goneBytes).toBeGreaterThan(600_000);
      expect(seen.orphans.volumes.map((v) => v.name)).toContain(`gantry-cache-cache-it-${t}`);
      expect(seen.orphans.volumes.map((v) => v.name)).not.toContain(
        `gantry-cache-cache-it-${shared}`,
      );
      for (const img of liveImages) expect(orphanIds).not.toContain(img.id);
      const text = await gantry(here, ["cache", "ls"]);
      expect(text.stdout).toMatch(
        /orphans of deleted state dirs \(not counted; gantry cache prune --all removes them\): \d+ images? \(\d/,
      );

      const plain = await gantry(here, ["cache", "prune"]);
      expect(plain.status, plain.out).toBe(0);
      for (const img of goneImages) expect(imageExists(img.id)).toBe(true);

      const all = await gantry(here, ["cache", "prune", "--all"]);
      expect(all.status, all.out).toBe(0);
      for (const img of goneImages)
        if (img.id !== kept!.id)
          for (const x of img.tags)
            expect(imageExists(x), `${x} of a deleted state dir`).toBe(false);
      expect(imageExists(userRef)).toBe(true);
      expect(volumeExists(`gantry-cache-cache-it-${t}`)).toBe(false);
      expect(volumeExists(`gantry-cache-cache-it-${shared}`)).toBe(true);
      for (const img of liveImages) expect(imageExists(img.id)).toBe(true);
      const again = await call(live, ["steps", `--tag=${t}-live`]);
      expect(again.stderr).not.toMatch(/✔ withExec/);
    } finally {
      await runCommand("docker", ["rmi", userRef]);
      await runCommand("docker", ["volume", "rm", `gantry-cache-cache-it-${shared}`]);
      await runCommand("docker", ["volume", "rm", `gantry-cache-cache-it-${t}`]);
    }
  });

  it("a state dir's own images that no record names are counted by ls and removed by prune", async () => {
    const state = await makeStateDir();
    const t = tag();
    await call(state, ["steps", `--tag=${t}`]);
    const images = (await ls(state)).images;
    // the chain's first two steps are committed (the next one reads them), the last one is not (Decision 10)
    expect(images).toHaveLength(2);
    // a run that crashed between commit and record leaves the same: images nothing names
    await rm(path.join(state, "store", "records", "exec"), { recursive: true, force: true });
    const seen = await ls(state);
    expect(seen.images).toEqual([]);
    expect(
      seen.orphans.images
        .filter((i) => i.orphan === "mine")
        .map((i) => i.id)
        .sort(),
    ).toEqual(images.map((i) => i.id).sort());
    expect(seen.orphans.countedBytes).toBeGreaterThan(600_000);
    expect(seen.counted.engine).toBeGreaterThanOrEqual(seen.orphans.countedBytes);
    const prune = await gantry(state, ["cache", "prune"]);
    expect(prune.status, prune.out).toBe(0);
    for (const img of images) for (const x of img.tags) expect(imageExists(x)).toBe(false);
  });

  it("a cache volume only a service mounts is marked used: counted, with its last use", async () => {
    const state = await makeStateDir();
    const t = tag();
    const name = `gantry-cache-svc-cache-${t}`;
    try {
      const started = Date.now();
      const r = await call(state, ["service-cache", `--tag=${t}`]);
      expect(r.stdout).toBe(`svc-${t}\n`);
      const vol = (await ls(state)).volumes.find((v) => v.name === name);
      expect(vol, "the service's cache volume among this state dir's").toBeDefined();
      expect(vol!.cache).toBe(`svc-cache-${t}`);
      expect(vol!.lastUsed).toBeGreaterThanOrEqual(started - 2000);
    } finally {
      await runCommand("docker", ["volume", "rm", name]);
    }
  });

  it("the after-run estimate counts a Dockerfile build's image and a cache volume's growth", async () => {
    const state = await makeStateDir();
    const t = tag();
    const env = { GANTRY_CACHE_LIMIT: "1000GB" }; // never collects: the ledger keeps every run's additions
    try {
      await call(state, ["steps", `--tag=${t}`], env); // starts the ledger
      const start = (await readUsage(state))!.addedSince;
      await call(state, ["build", `--tag=${t}`, "--kb=2000"], env);
      const built = (await readUsage(state))!.addedSince;
      expect(built - start).toBeGreaterThan(2_000_000);
      await call(state, ["grow", `--tag=${t}`, "--kb=3000"], env);
      const grown = (await readUsage(state))!.addedSince;
      expect(grown - built).toBeGreaterThan(3_000_000);
      // a cached run of the same adds nothing: the volume did not grow again
      await call(state, ["grow", `--tag=${t}`, "--kb=3000"], env);
      expect((await readUsage(state))!.addedSince).toBe(grown);
    } finally {
      await runCommand("docker", ["volume", "rm", `gantry-cache-grow-${t}`]);
    }
  });
});
