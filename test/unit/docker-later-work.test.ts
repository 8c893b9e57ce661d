import { describe, expect, it } from "vitest";
import { LaterWork } from "../../src/runtime/docker/connection/run-context.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("LaterWork (what close() waits for before its sweep)", () => {
  it("settles only once everything added has finished, also what was added while it waited", async () => {
    const later = new LaterWork();
    const done: string[] = [];
    later.add(tick(30).then(() => done.push("first")));
    later.add(
      tick(10).then(() => {
        done.push("second");
        later.add(tick(40).then(() => done.push("added meanwhile")));
      }),
    );
    await later.settle();
    expect(done).toEqual(["second", "first", "added meanwhile"]);
  });

  it("drops a failure (the sweep removes what is left) and still waits for the rest", async () => {
    const later = new LaterWork();
    let finished = false;
    later.add(Promise.reject(new Error("container already gone")));
    later.add(tick(20).then(() => (finished = true)));
    await expect(later.settle()).resolves.toBeUndefined();
    expect(finished).toBe(true);
  });

  it("settles at once with nothing added", async () => {
    await expect(new LaterWork().settle()).resolves.toBeUndefined();
  });
});
