// An exec's filesystem is kept (committed, on docker) only when something reads it: a check whose output is all a
// run wants pays no commit, and a later run that does read the filesystem runs the step once more, saying why.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import { dag } from "../../src/sdk/index.js";
import { BUSYBOX, executed, makeStateDir, runIn } from "../helpers/test-session.js";

const run = promisify(execFile);

// A step of its own per test (a fresh word in the command), writing a file and printing a line.
function stepOf(word: string) {
  return dag
    .container()
    .from(BUSYBOX)
    .withExec(["sh", "-c", `echo ${word} > /f; echo ran ${word}`]);
}

// The digest of the one exec step of a run (step.start carries it).
function execDigest(events: RunEvent[]): string {
  const starts = events.flatMap((e) =>
    e.type === "step.start" && e.kind === "exec" && e.digest ? [e.digest] : [],
  );
  expect(new Set(starts).size).toBe(1);
  return starts[0]!;
}

async function cacheImage(digest: string): Promise<string | undefined> {
  const tag = `gantry-cache:${digest.replace(/^sha256:/, "")}`;
  try {
    return (await run("docker", ["image", "inspect", "-f", "{{.Id}}", tag])).stdout.trim();
  } catch {
    return undefined;
  }
}

async function runLeftovers(runId: string): Promise<string> {
  const { stdout } = await run("docker", [
    "ps",
    "-a",
    "-q",
    "--filter",
    `label=gantry.run=${runId}`,
  ]);
  return stdout.trim();
}

describe("an exec's filesystem, kept only when read", () => {
  it("commits nothing for a step whose output alone is used, leaves no container, and caches the output", async () => {
    const word = randomBytes(4).toString("hex");
    const state = await makeStateDir();
    const first = await runIn("docker", state, async () => {
      await stepOf(word).sync();
      return stepOf(word).stdout();
    });
    expect(first.value).toBe(`ran ${word}\n`);
    expect(executed(first.events)).toHaveLength(1);
    expect(await cacheImage(execDigest(first.events))).toBeUndefined();
    expect(await runLeftovers(first.session.runId)).toBe("");
    const second = await runIn("docker", state, () => stepOf(word).stdout());
    expect(second.value).toBe(`ran ${word}\n`);
    expect(executed(second.events)).toEqual([]);
  });

  it("runs the step again when a later run reads its filesystem, says why, then serves both from cache", async () => {
    const word = randomBytes(4).toString("hex");
    const state = await makeStateDir();
    await runIn("docker", state, () => stepOf(word).stdout());
    const read = await runIn("docker", state, () => stepOf(word).file("/f").contents());
    expect(read.value).toBe(`${word}\n`);
    expect(executed(read.events)).toHaveLength(1);
    const ends = read.events.flatMap((e) => (e.type === "step.end" && e.why ? [e] : []));
    expect(ends.map((e) => e.why?.map((w) => w.change))).toEqual([["not-kept"]]);
    expect(ends[0]!.miss).toMatch(/filesystem is read now, and was not kept/);
    expect(await cacheImage(execDigest(read.events))).toMatch(/^sha256:/);
    const again = await runIn("docker", state, async () => [
      await stepOf(word).file("/f").contents(),
      await stepOf(word).stdout(),
    ]);
    expect(again.value).toEqual([`${word}\n`, `ran ${word}\n`]);
    expect(executed(again.events)).toEqual([]);
  });

  it("commits once when the same run reads the filesystem after using the output", async () => {
    const word = randomBytes(4).toString("hex");
    const state = await makeStateDir();
    const first = await runIn("docker", state, async () => {
      const step = stepOf(word);
      const out = await step.stdout();
      const [a, b] = await Promise.all([step.file("/f").contents(), step.file("/f").contents()]);
      return [out, a, b];
    });
    expect(first.value).toEqual([`ran ${word}\n`, `${word}\n`, `${word}\n`]);
    expect(executed(first.events)).toHaveLength(1);
    expect(await cacheImage(execDigest(first.events))).toMatch(/^sha256:/);
    expect(await runLeftovers(first.session.runId)).toBe("");
    // the record now holds the filesystem too: a run that reads it is served from cache
    const second = await runIn("docker", state, () => stepOf(word).file("/f").contents());
    expect(executed(second.events)).toEqual([]);
  });

  it("reads the right step's files in later runs (a stand-in never names a read in the read cache)", async () => {
    const [a, b] = [randomBytes(4).toString("hex"), randomBytes(4).toString("hex")];
    const state = await makeStateDir();
    expect((await runIn("docker", state, () => stepOf(a).file("/f").contents())).value).toBe(
      `${a}\n`,
    );
    expect((await runIn("docker", state, () => stepOf(b).file("/f").contents())).value).toBe(
      `${b}\n`,
    );
    const c = randomBytes(4).toString("hex");
    await runIn("docker", state, () => stepOf(c).stdout());
    const third = await runIn("docker", state, () => stepOf(c).file("/f").contents());
    expect(third.value).toBe(`${c}\n`);
    expect(executed(third.events)).toHaveLength(1);
  });

  it("runs a new child of an output-only cached step with one slot per exec (no deadlock at parallelism 1 or 2)", async () => {
    for (const parallelism of ["1", "2"]) {
      const words = [randomBytes(4).toString("hex"), randomBytes(4).toString("hex")];
      const state = await makeStateDir();
      await runIn("docker", state, () => Promise.all(words.map((w) => stepOf(w).stdout())));
      process.env.GANTRY_PARALLELISM = parallelism;
      try {
        const children = runIn("docker", state, () =>
          Promise.all(words.map((w) => stepOf(w).withExec(["cat", "/f"]).stdout())),
        );
        const timeout = new Promise<"timed out">((resolve) =>
          setTimeout(() => resolve("timed out"), 40_000).unref(),
        );
        const r = await Promise.race([children, timeout]);
        expect(r, `parallelism ${parallelism}`).not.toBe("timed out");
        expect((r as Awaited<typeof children>).value).toEqual(words.map((w) => `${w}\n`));
      } finally {
        delete process.env.GANTRY_PARALLELISM;
      }
    }
  }, 120_000);

  it("on the host runtime, where keeping costs a scan the exec does anyway, a later read is served from cache", async () => {
    const word = randomBytes(4).toString("hex");
    const state = await makeStateDir();
    const step = () => dag.container().withExec(["sh", "-c", `echo ${word} > f; echo ran ${word}`]);
    await runIn("host", state, () => step().stdout());
    const read = await runIn("host", state, () => step().file("f").contents());
    expect(read.value).toBe(`${word}\n`);
    expect(executed(read.events)).toEqual([]);
  });
});
