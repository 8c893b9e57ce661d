// Which images `cache ls|prune|gc` take as Gantry's, from one listing of the engine's images: the labelled ones and
// the imports Gantry tagged, each sized over its parent, never a person's image.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerCacheObjects } from "../../src/runtime/docker/cleanup/owned-objects.js";
import { commitContainer } from "../../src/runtime/docker/exec/commit.js";

const run = promisify(execFile);
const docker = new Dockerode({ socketPath: "/var/run/docker.sock" });
const BUSYBOX = "gantry-test/busybox:latest";
const tag = `owned-${process.pid}-${Date.now()}`;
const made: string[] = [];

// An image committed from a container of `from` that wrote `bytes` bytes, with these labels; its id.
async function commit(
  from: string,
  bytes: number,
  labels: Record<string, string>,
): Promise<string> {
  const c = await docker.createContainer({
    Image: from,
    Cmd: ["sh", "-c", `head -c ${bytes} /dev/zero > /blob`],
  });
  try {
    await c.start();
    await c.wait();
    return await commitContainer(c, { config: { Labels: labels } });
  } finally {
    await c.remove({ force: true });
  }
}

let labelled: string;
let child: string;
let personal: string;
let imported: string;

beforeAll(async () => {
  const managed = { "gantry.managed": "true" };
  labelled = await commit(BUSYBOX, 300_000, managed);
  // a child of the labelled image that is not Gantry's: the labelled one then has children, and the child is not
  // listed (commit keeps the parent's labels, so this one sets the label to something else)
  child = await commit(labelled, 1000, { "gantry.managed": "no" });
  personal = await commit(BUSYBOX, 1000, { purpose: "a person's own" });
  // an import: no label (its id is the tarball's content), found by its gantry-import tag
  const base = await commit(BUSYBOX, 50_000, { purpose: "imported" });
  await docker.getImage(base).tag({ repo: "gantry-import", tag });
  imported = base;
  made.push(child, `gantry-import:${tag}`, base, labelled, personal);
}, 120_000);

afterAll(async () => {
  for (const ref of made) await run("docker", ["rmi", ref]).catch(() => undefined);
});

describe("the engine's Gantry images, from one listing", () => {
  it("lists labelled images and tagged imports, sized over their parents, and leaves others out", async () => {
    const owned = await dockerCacheObjects(docker, "test").images();
    const byId = new Map(owned.map((i) => [i.id, i]));
    expect(byId.has(personal)).toBe(false);
    expect(byId.has(child)).toBe(false);

    const l = byId.get(labelled);
    expect(l, "the labelled image").toBeDefined();
    // what it adds over busybox: the 300 kB file (and the layer's own few bytes)
    expect(l!.size).toBeGreaterThanOrEqual(300_000);
    expect(l!.size).toBeLessThan(310_000);
    expect(l!.hasChildren).toBe(true);
    expect(l!.userTagged).toBe(false);

    const i = byId.get(imported);
    expect(i, "the import, by its tag").toBeDefined();
    expect(i!.tags).toContain(`gantry-import:${tag}`);
    expect(i!.size).toBeGreaterThanOrEqual(50_000);
    expect(i!.size).toBeLessThan(60_000);
    expect(i!.hasChildren).toBe(false);
    expect(i!.userTagged).toBe(false);
  });
});
