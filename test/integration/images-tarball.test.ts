// Container.asTarball → Container.import end to end on docker: the round trip keeps files and config, and is cached.
import { describe, expect, it } from "vitest";
import "../../src/engine/images/index.js";
import type { RunEvent } from "../../src/engine/events.js";
import { dag, ImageError } from "../../src/sdk/index.js";
import { BUSYBOX, executed, makeStateDir, runIn } from "../helpers/test-session.js";

// Steps of a kind and how each ended, by name.
function stepsOf(events: RunEvent[], kind: string): string[] {
  const names = new Map<string, string>();
  const out: string[] = [];
  for (const e of events) {
    if (e.type === "step.start" && e.kind === kind) names.set(e.id, e.name);
    if (e.type === "step.end" && names.has(e.id)) out.push(`${names.get(e.id)} ${e.status}`);
  }
  return out;
}

// A container with a file and config changes, exported and imported back, then run.
function roundTrip(nonce: string) {
  const original = dag
    .container()
    .from(BUSYBOX)
    .withNewFile("/made.txt", `round trip ${nonce}\n`)
    .withEnvVariable("RT", "1")
    .withWorkdir("/tmp");
  const tarball = original.asTarball();
  const back = dag.container().import(tarball);
  return Promise.all([
    tarball.name(),
    tarball.size(),
    back.withExec(["sh", "-c", "cat /made.txt; echo $RT; pwd"]).stdout(),
  ]);
}

describe("Container.asTarball and Container.import", () => {
  it("round-trips a container through a tarball, files and config intact", async () => {
    const nonce = String(Date.now());
    const { value } = await runIn("docker", await makeStateDir(), () => roundTrip(nonce));
    const [name, size, out] = value;
    expect(name).toBe("image.tar");
    expect(size).toBeGreaterThan(1024);
    expect(out).toBe(`round trip ${nonce}\n1\n/tmp\n`);
  });

  it("serves the tarball and the import from cache in a second run", async () => {
    const nonce = `cached-${Date.now()}`;
    const state = await makeStateDir();
    const first = await runIn("docker", state, () => roundTrip(nonce));
    expect(stepsOf(first.events, "export")).toEqual(["asTarball done"]);
    expect(stepsOf(first.events, "pull")).toContain("import image.tar done");
    const second = await runIn("docker", state, () => roundTrip(nonce));
    expect(second.value).toEqual(first.value);
    expect(stepsOf(second.events, "export")).toEqual(["asTarball cached"]);
    expect(stepsOf(second.events, "pull")).toContain("import image.tar cached");
    expect(executed(second.events)).toEqual([]);
  });

  it("rejects a file that is not an image tarball", async () => {
    const { value: err } = await runIn("docker", await makeStateDir(), () =>
      dag
        .container()
        .import(dag.directory().withNewFile("bogus.tar", "not a tarball").file("bogus.tar"))
        .sync()
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toContain("could not load image tarball");
  });
});
