// The cross-process lock: exclusive while its holder lives, taken over once the holder is dead (SIGKILL leaves
// its file behind), never stolen from a live holder, and a cancelled waiter stops waiting.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireFileLock, tryFileLock } from "../../src/store/file-lock.js";
import { processStartTime } from "../../src/process-alive.js";
import { CancelledError } from "../../src/errors.js";

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gantry-lock-"));
  file = path.join(dir, "locks", "x.lock");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("file locks", () => {
  it("admit one holder; the file goes with release", async () => {
    const release = await tryFileLock(file);
    expect(release).toBeDefined();
    expect(await tryFileLock(file)).toBeUndefined();
    await release!();
    const again = await tryFileLock(file);
    expect(again).toBeDefined();
    await again!();
  });

  it("are taken over from a holder that died, and never from a live one", async () => {
    const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    await tryFileLock(file).then((r) => r?.());
    await writeFile(file, `${dead} 1\n`);
    const release = await tryFileLock(file);
    expect(release).toBeDefined();
    expect(await readFile(file, "utf8")).toMatch(new RegExp(`^${process.pid} `));
    await release!();
    await writeFile(file, `${process.ppid} ${processStartTime(process.ppid) ?? "?"}\n`);
    expect(await tryFileLock(file)).toBeUndefined();
    // the same pid with another start time is a reused pid: stale
    await writeFile(file, `${process.ppid} 1\n`);
    expect(await tryFileLock(file)).toBeDefined();
  });

  it("stop waiting when the run is cancelled", async () => {
    const held = await tryFileLock(file);
    const ac = new AbortController();
    const waiting = acquireFileLock(file, ac.signal, "cache volume x");
    setTimeout(() => ac.abort(), 50);
    await expect(waiting).rejects.toThrow(CancelledError);
    await held!();
  });
});
