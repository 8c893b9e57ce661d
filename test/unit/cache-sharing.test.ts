// The one sharing policy both runtimes use for cache volumes: who gets the volume, who waits, who gets a copy.
import { describe, expect, it } from "vitest";
import { CacheSharingPolicy, type CacheBacking } from "../../src/runtime/cache-sharing.js";

function backing(name: string) {
  let copies = 0;
  let opened = 0;
  const b: CacheBacking<string> = {
    open: () => Promise.resolve({ handle: name, fresh: opened++ === 0 }),
    copy: () => Promise.resolve(`${name}-copy${++copies}`),
  };
  return { b, copies: () => copies };
}

const signal = new AbortController().signal;

describe("CacheSharingPolicy", () => {
  it("SHARED: every user gets the volume itself at once; only the first open is fresh", async () => {
    const p = new CacheSharingPolicy<string>();
    const { b } = backing("v");
    const [a, c] = await Promise.all([
      p.acquire("v", "SHARED", signal, b),
      p.acquire("v", "SHARED", signal, b),
    ]);
    expect([a.handle, c.handle]).toEqual(["v", "v"]);
    expect([a.fresh, c.fresh]).toEqual([true, false]);
  });

  it("PRIVATE: a second user while the first holds it gets a fresh copy; a free copy is reused, not fresh", async () => {
    const p = new CacheSharingPolicy<string>();
    const { b, copies } = backing("v");
    const first = await p.acquire("v", "PRIVATE", signal, b);
    const second = await p.acquire("v", "PRIVATE", signal, b);
    expect(first.handle).toBe("v");
    expect(second).toMatchObject({ handle: "v-copy1", fresh: true });
    second.release();
    const third = await p.acquire("v", "PRIVATE", signal, b);
    expect(third).toMatchObject({ handle: "v-copy1", fresh: false });
    expect(copies()).toBe(1);
    first.release();
    third.release();
    expect((await p.acquire("v", "PRIVATE", signal, b)).handle).toBe("v");
  });

  it("LOCKED: the second user waits until the first releases", async () => {
    const p = new CacheSharingPolicy<string>();
    const { b } = backing("v");
    const first = await p.acquire("v", "LOCKED", signal, b);
    let got = false;
    const second = p.acquire("v", "LOCKED", signal, b).then((u) => ((got = true), u));
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toBe(false);
    first.release();
    expect((await second).handle).toBe("v");
  });

  it("LOCKED: a wait ends when the run is cancelled, naming the volume", async () => {
    const p = new CacheSharingPolicy<string>();
    const { b } = backing("v");
    await p.acquire("v", "LOCKED", signal, b);
    const ac = new AbortController();
    const waiting = p.acquire("v", "LOCKED", ac.signal, b);
    ac.abort(new Error("cancelled"));
    await expect(waiting).rejects.toThrow();
  });

  it("a failed open releases the use, so the next user is not blocked", async () => {
    const p = new CacheSharingPolicy<string>();
    const failing: CacheBacking<string> = {
      open: () => Promise.reject(new Error("engine said no")),
      copy: () => Promise.reject(new Error("unused")),
    };
    await expect(p.acquire("v", "LOCKED", signal, failing)).rejects.toThrow("engine said no");
    const { b } = backing("v");
    expect((await p.acquire("v", "LOCKED", signal, b)).handle).toBe("v");
  });
});
