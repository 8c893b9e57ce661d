// A cache volume gets its owner when it is made; when that fails (an owner the image lacks), the volume must not stay
// behind unowned, or every later run would find it made and never own it (docker runtime; the host runtime renames
// its new cache folder only once it is seeded).
import { describe, expect, it } from "vitest";
import { dag } from "../../src/sdk/index.js";
import { BUSYBOX, docker, makeStateDir, runIn } from "../helpers/test-session.js";

const ownerOfRoot = (volume: string, owner: string, nonce: string) =>
  dag
    .container()
    .from(BUSYBOX)
    .withEnvVariable("NONCE", nonce)
    .withMountedCache("/cc", dag.cacheVolume(volume), { owner })
    .withExec(["sh", "-c", "stat -c '%u:%g' /cc"])
    .stdout();

describe("a cache volume's owner", () => {
  it("is given on the next run when the first could not give it", async () => {
    const volume = `owner-retry-${Math.random().toString(36).slice(2, 10)}`;
    const state = await makeStateDir();
    try {
      await expect(runIn("docker", state, () => ownerOfRoot(volume, "ghost", "1"))).rejects.toThrow(
        /ghost/,
      );
      const r = await runIn("docker", state, () => ownerOfRoot(volume, "nobody", "2"));
      expect(r.value.trim()).toBe("65534:65534");
    } finally {
      docker(["volume", "ls", "-q", "--filter", `label=gantry.cache=${volume}`])
        .split("\n")
        .filter(Boolean)
        .forEach((v) => docker(["volume", "rm", "-f", v]));
    }
  });
});
