// The host runtime honours a mount's owner where it can, and otherwise refuses it by name — never drops it.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { mountOwnerIds, type OwnerContext } from "../../src/runtime/host/mount-owner.js";
import { UnsupportedError, NotFoundError } from "../../src/errors.js";
import type { MountSpec } from "../../src/runtime/runtime.js";

let etc: string;
beforeAll(async () => {
  etc = await mkdtemp(path.join(os.tmpdir(), "gantry-owner-etc-"));
  await writeFile(
    path.join(etc, "passwd"),
    "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
  );
  await writeFile(path.join(etc, "group"), "root:x:0:\nnogroup:x:65534:\nstaff:x:50:\n");
});
afterAll(() => rm(etc, { recursive: true, force: true }));

const cache = (owner?: string): MountSpec => ({
  kind: "cache",
  target: "/data",
  volume: "v",
  sharing: "SHARED",
  owner,
});
const dir = (owner: string): MountSpec => ({
  kind: "dir",
  target: "/m",
  tree: { entries: {} },
  owner,
});
const ctx = (uid: number, mode: OwnerContext["mode"] = "bubblewrap"): OwnerContext => ({
  mode,
  uid,
  gid: uid,
  etc,
});
const idsOf = (m: MountSpec, c: OwnerContext) =>
  mountOwnerIds(m as Extract<MountSpec, { kind: "cache" }>, c);

describe("mountOwnerIds", () => {
  it("as root: names from the host's passwd/group, numbers as given, a missing group is the user's number", async () => {
    expect(await idsOf(dir("nobody"), ctx(0))).toEqual({ uid: 65534, gid: 65534 });
    expect(await idsOf(dir("nobody:staff"), ctx(0))).toEqual({ uid: 65534, gid: 50 });
    expect(await idsOf(dir("1000:1001"), ctx(0))).toEqual({ uid: 1000, gid: 1001 });
    expect(await idsOf(cache(undefined), ctx(0))).toBeUndefined();
    await expect(idsOf(dir("ghost"), ctx(0))).rejects.toThrow(NotFoundError);
  });

  it("without root: the owner the exec already sees passes, any other is refused naming the call and the option", async () => {
    // bubblewrap maps the caller to root, so root's files are what it makes; plain mode shows the caller's own ids
    expect(await idsOf(dir("root"), ctx(1000))).toBeUndefined();
    expect(await idsOf(dir("1000"), ctx(1000, "plain"))).toBeUndefined();
    const refused = idsOf(cache("nobody"), ctx(1000));
    await expect(refused).rejects.toThrow(UnsupportedError);
    await expect(refused).rejects.toThrow(
      /^withMountedCache \/data: owner "nobody" \(65534:65534\) needs the host runtime to run as root/,
    );
    await expect(idsOf(dir("nobody"), ctx(1000, "plain"))).rejects.toThrow(
      /^withMountedDirectory \/m: owner/,
    );
  });
});
