// The size limit's logic on a temp state dir: least recently used first, what only an evicted record held goes with
// it, what a running run made or used stays, tombstones for the next run's miss line, and the cheap after-run check.
import { describe, expect, it } from "vitest";
import { mkdtemp, readdir, stat, utimes } from "node:fs/promises";
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { ContentStore } from "../../src/store/content-store.js";
import { measureCache } from "../../src/engine/cache/cache-usage.js";
import { collectCache } from "../../src/engine/cache/cache-collect.js";
import { enforceCacheLimit } from "../../src/engine/cache/cache-limit.js";
import { readEvictions } from "../../src/store/cache/eviction-log.js";
import { holdRunLease, liveRunLeases } from "../../src/store/cache/run-leases.js";
import { readUsage } from "../../src/store/cache/usage-ledger.js";
import { parseCacheLimit, limitBytes } from "../../src/store/cache/size-limit.js";
import { UsageError } from "../../src/errors.js";
import type { Tree } from "../../src/store/tree.js";

const MIN = 60_000;

// A state dir whose store holds one exec record per name, each holding a tree with one blob of `size` bytes of its
// own, plus one blob all of them share; record i was last used `ages[i]` minutes ago.
async function fill(names: string[], ages: number[], size = 10_000) {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "gantry-cache-unit-"));
  const store = new ContentStore(path.join(stateDir, "store"));
  await store.init();
  const shared = await store.putBytes("shared by every record");
  const own: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    const blob = await store.putBytes(name.repeat(size / name.length));
    own[name] = blob;
    const tree: Tree = {
      entries: {
        out: { type: "file", mode: 0o644, digest: blob, size },
        shared: { type: "file", mode: 0o644, digest: shared, size: 22 },
      },
    };
    const treeDigest = await store.saveTree(tree);
    const key = `sha256:${String(i).padStart(64, "0")}`;
    await store.putRecord("exec", key, {
      snapshot: treeDigest,
      exitCode: 0,
      stdout: name,
      stderr: "",
      time: 0,
    });
    const at = new Date(Date.now() - (ages[i] ?? 0) * MIN);
    await utimes(store.recordPath("exec", key), at, at);
    for (const f of [
      store.blobPath(blob),
      path.join(stateDir, "store", "trees", treeDigest.slice(7) + ".json"),
    ])
      await utimes(f, new Date(0), new Date(0));
  }
  await utimes(store.blobPath(shared), new Date(0), new Date(0));
  return { stateDir, store, own, shared };
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

describe("cache collection (LRU, on a temp state dir)", () => {
  it("evicts the least recently used records first, with the blobs only they held, and keeps shared ones", async () => {
    const { stateDir, store, own, shared } = await fill(["old", "mid", "new"], [30, 20, 10]);
    const usage = await measureCache(stateDir, undefined);
    // enough room for two of the three records' blobs: only the oldest must go
    const target = usage.stateBytes - 5_000;
    const result = await collectCache(usage, { target, by: "gc" });
    const records = result.removed.filter((r) => r.what === "record").map((r) => r.name);
    expect(records).toEqual([`exec/${"0".repeat(64)}`]);
    expect(await exists(store.blobPath(own.old!))).toBe(false);
    expect(await exists(store.blobPath(own.mid!))).toBe(true);
    expect(await exists(store.blobPath(own.new!))).toBe(true);
    expect(await exists(store.blobPath(shared))).toBe(true);
    expect(result.after).toBeLessThanOrEqual(target);
    const tomb = await readEvictions(stateDir);
    expect([...tomb.keys()]).toEqual([`exec:${"0".repeat(64)}`]);
    expect(tomb.get(`exec:${"0".repeat(64)}`)?.by).toBe("gc");
  });

  it("a record a run reads becomes the most recently used, so gc takes another", async () => {
    const { stateDir, store } = await fill(["aaa", "bbb"], [30, 20]);
    // the older one is hit by a run now
    expect(await store.getRecord("exec", `sha256:${"0".repeat(64)}`)).toMatchObject({
      stdout: "aaa",
    });
    const usage = await measureCache(stateDir, undefined);
    const result = await collectCache(usage, { target: usage.stateBytes - 5_000, by: "gc" });
    expect(result.removed.filter((r) => r.what === "record").map((r) => r.name)).toEqual([
      `exec/${"0".repeat(63)}1`,
    ]);
  });

  it("garbage (blobs and trees no record holds) goes before any record", async () => {
    const { stateDir, store } = await fill(["aaa"], [10]);
    const orphan = await store.putBytes("x".repeat(20_000));
    await utimes(store.blobPath(orphan), new Date(0), new Date(0));
    const usage = await measureCache(stateDir, undefined);
    const result = await collectCache(usage, { target: usage.stateBytes - 15_000, by: "gc" });
    expect(result.removed.map((r) => r.what)).toEqual(["blob"]);
    expect(await exists(store.blobPath(orphan))).toBe(false);
    expect(await readdir(path.join(stateDir, "store", "records", "exec"))).toHaveLength(1);
  });

  it("keeps what a running run (a live lease) made or used since it started; a dead run's lease protects nothing", async () => {
    const { stateDir, store } = await fill(["aaa", "bbb", "ccc"], [30, 20, 10]);
    // a run that started 25 minutes ago is still open in this process: bbb and ccc were used since
    const release = await holdRunLease(stateDir, "run-live", Date.now() - 25 * MIN);
    // a run whose process is gone left its lease behind
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("exit", r));
    const releaseDead = await holdRunLease(stateDir, "run-dead", Date.now() - 60 * MIN);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(
      path.join(stateDir, "cache", "leases", "run-dead.json"),
      JSON.stringify({
        runId: "run-dead",
        pid: dead.pid,
        host: os.hostname(),
        start: Date.now() - 60 * MIN,
      }),
    );
    try {
      const usage = await measureCache(stateDir, undefined);
      const result = await collectCache(usage, { by: "prune" });
      expect(result.leases.map((l) => l.runId)).toEqual(["run-live"]);
      expect(result.removed.filter((r) => r.what === "record")).toHaveLength(1);
      expect(result.keptInUse).toBe(2);
      expect(await store.getRecord("exec", `sha256:${"0".repeat(63)}1`)).toMatchObject({
        stdout: "bbb",
      });
      expect(await store.getRecord("exec", `sha256:${"0".repeat(63)}2`)).toMatchObject({
        stdout: "ccc",
      });
      expect(await liveRunLeases(stateDir)).toHaveLength(1);
    } finally {
      await release();
      await releaseDead();
    }
  });

  it("a dry run removes nothing and writes no tombstone", async () => {
    const { stateDir } = await fill(["aaa", "bbb"], [30, 20]);
    const usage = await measureCache(stateDir, undefined);
    const result = await collectCache(usage, { by: "prune", dryRun: true });
    expect(result.removed.filter((r) => r.what === "record")).toHaveLength(2);
    expect(await readdir(path.join(stateDir, "store", "records", "exec"))).toHaveLength(2);
    expect((await readEvictions(stateDir)).size).toBe(0);
  });
});

describe("the size limit", () => {
  it("parses sizes, percentages and off, and refuses anything else with a usage error", () => {
    expect(parseCacheLimit("20GB", "X")).toEqual({ kind: "bytes", bytes: 20e9 });
    expect(parseCacheLimit("512MiB", "X")).toEqual({ kind: "bytes", bytes: 512 * 1024 ** 2 });
    expect(parseCacheLimit("10g", "X")).toEqual({ kind: "bytes", bytes: 10 * 1024 ** 3 });
    expect(parseCacheLimit("1500", "X")).toEqual({ kind: "bytes", bytes: 1500 });
    expect(parseCacheLimit("10%", "X")).toEqual({ kind: "fraction", fraction: 0.1 });
    expect(parseCacheLimit("off", "X")).toEqual({ kind: "off" });
    expect(parseCacheLimit(undefined, "X")).toEqual({ kind: "fraction", fraction: 0.25 });
    expect(() => parseCacheLimit("lots", "GANTRY_CACHE_LIMIT")).toThrow(UsageError);
    expect(() => parseCacheLimit("150%", "GANTRY_CACHE_LIMIT")).toThrow(
      /GANTRY_CACHE_LIMIT must be/,
    );
    // a fraction is of the free space plus what the cache holds, so the limit does not shrink as the cache grows
    expect(limitBytes({ kind: "fraction", fraction: 0.25 }, 300, 100)).toBe(100);
  });

  it("after a run: under the limit, only the ledger is read; over it, the store is measured and collected", async () => {
    const { stateDir } = await fill(["aaa", "bbb", "ccc"], [30, 20, 10]);
    const first = await enforceCacheLimit({
      stateDir,
      limit: "1GB",
      storeBytesAdded: 0,
      snapshots: [],
    });
    expect(first).toMatchObject({ measured: false });
    const ledger = await readUsage(stateDir);
    expect(ledger?.measure.stateBytes).toBeGreaterThan(30_000);
    // a run that added 5 kB: still an estimate from the ledger
    const second = await enforceCacheLimit({
      stateDir,
      limit: "1GB",
      storeBytesAdded: 5_000,
      snapshots: [],
    });
    expect(second?.estimate).toBe((ledger?.measure.stateBytes ?? 0) + 5_000);
    expect(second?.measured).toBe(false);
    // a limit below what the cache holds: measured and collected down to 90% of it
    const limit = (ledger?.measure.stateBytes ?? 0) - 5_000;
    const third = await enforceCacheLimit({
      stateDir,
      limit: String(limit),
      storeBytesAdded: 0,
      snapshots: [],
    });
    expect(third?.measured).toBe(true);
    expect(third?.collected?.removed.some((r) => r.name === `exec/${"0".repeat(64)}`)).toBe(true);
    expect(third?.collected?.after).toBeLessThanOrEqual(limit * 0.9);
    const after = await readUsage(stateDir);
    expect(after?.addedSince).toBe(0);
    expect(after?.measure.stateBytes).toBeLessThanOrEqual(limit * 0.9);
  });

  it("is off with GANTRY_CACHE_LIMIT=off: nothing is collected", async () => {
    const { stateDir } = await fill(["aaa"], [10]);
    expect(
      await enforceCacheLimit({ stateDir, limit: "off", storeBytesAdded: 1e12, snapshots: [] }),
    ).toBeUndefined();
    expect(await readdir(path.join(stateDir, "store", "records", "exec"))).toHaveLength(1);
  });
});
