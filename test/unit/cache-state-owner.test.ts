// Which state dir made an engine object, and whether it is gone: the test orphans are told by (docs/cache.md).
import { describe, expect, it } from "vitest";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ownerGone, stateDirId, stateOwner } from "../../src/store/cache/state-owner.js";

const tmpState = () => mkdtemp(path.join(os.tmpdir(), "gantry-owner-unit-"));

describe("state dir owners", () => {
  it("a state dir keeps one id, made once even when several processes ask at the same time", async () => {
    const dir = await tmpState();
    const ids = await Promise.all(Array.from({ length: 8 }, () => stateDirId(dir)));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(await stateDirId(dir)).toBe(ids[0]);
  });

  it("an empty id file (a write a full disk cut short) is replaced, and no temporary file is left", async () => {
    const dir = await tmpState();
    await mkdir(path.join(dir, "cache"), { recursive: true });
    await writeFile(path.join(dir, "cache", "state-id"), "");
    const id = await stateDirId(dir);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect((await readFile(path.join(dir, "cache", "state-id"), "utf8")).trim()).toBe(id);
    expect(await readdir(path.join(dir, "cache"))).toEqual(["state-id"]);
    expect(await stateDirId(dir)).toBe(id);
  });

  it("an owner is gone when its folder is removed or made anew, never when it is on another machine", async () => {
    const dir = await tmpState();
    const owner = await stateOwner(dir);
    expect(owner.dir).toBe(path.resolve(dir));
    expect(await ownerGone(owner)).toBe(false);
    await rm(dir, { recursive: true, force: true });
    expect(await ownerGone(owner)).toBe(true);
    expect(await ownerGone({ ...owner, host: `${owner.host}-elsewhere` })).toBe(false);
    const again = await stateOwner(dir); // the same path, a new state dir
    expect(again.id).not.toBe(owner.id);
    expect(await ownerGone(owner)).toBe(true);
    expect(await ownerGone(again)).toBe(false);
  });
});
