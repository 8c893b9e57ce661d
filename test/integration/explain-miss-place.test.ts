// "Why did this run": a step with no record of its own is compared only with a step like it at the same place
// (same kinds of inputs, same program). A daily audit with its own variable is not "lint with its command changed";
// an edited command still shows the command it replaced.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dag, type Container } from "../../src/sdk/index.js";
import { BUSYBOX, makeStateDir, runIn } from "../helpers/test-session.js";
import type { RunEvent } from "../../src/engine/api/index.js";

const base = (): Container => dag.container().from(BUSYBOX).withWorkdir("/w");
const lint = (cmd: string) => base().withExec(["sh", "-c", cmd]).stdout();
const audit = () =>
  base()
    .withEnvVariable("GANTRY_AUDIT_DAY", "2026-12-06")
    .withExec(["sh", "-c", "echo audit"])
    .stdout();

// The miss explanations of the run's exec steps.
function misses(events: RunEvent[]): string[] {
  return events.flatMap((e) => (e.type === "step.end" && e.miss ? [e.miss] : []));
}

describe("explaining a miss by the step at the same place", () => {
  it("never explains an audit by a lint that ran at the same place", async () => {
    const state = await makeStateDir();
    const tag = `lint ${Date.now()}-${process.pid}`;
    await runIn("docker", state, () => lint(`echo ${tag}`));
    const a = await runIn("docker", state, audit);
    expect(misses(a.events)).toEqual(["no earlier result for this step"]);
    // the same place, the command edited: compared with the command it replaced
    const edited = await runIn("docker", state, () => lint(`echo ${tag} --strict`));
    const m = misses(edited.events);
    expect(m).toHaveLength(1);
    expect(m[0]).toContain(`command changed (earlier: sh -c echo ${tag})`);
  });

  it("never explains a new step by a sibling the same run ran, or served from cache, before it", async () => {
    const state = await makeStateDir();
    const tag = `sibling ${Date.now()}-${process.pid}`;
    // fresh state: the build runs after the test in one run; the test is not what the build replaced
    const first = await runIn("docker", state, async () => {
      await lint(`echo ${tag} test`);
      return lint(`echo ${tag} build`);
    });
    expect(misses(first.events)).toEqual([
      "no earlier result for this step",
      "no earlier result for this step",
    ]);
    // the test alone, then a run where it comes from cache before a new step at the same place: not an edit of it
    const other = await makeStateDir();
    await runIn("docker", other, () => lint(`echo ${tag} test`));
    const second = await runIn("docker", other, async () => {
      await lint(`echo ${tag} test`);
      return lint(`echo ${tag} audit`);
    });
    expect(misses(second.events)).toEqual(["no earlier result for this step"]);
    // the build, edited, in a run without it: compared with the build it replaced, not with the test beside it
    const edited = await runIn("docker", state, () => lint(`echo ${tag} build --prod`));
    expect(misses(edited.events)).toEqual([`command changed (earlier: sh -c echo ${tag} build)`]);
  });

  it("never explains a step by another project's step (projects share a state dir)", async () => {
    const state = await makeStateDir();
    const tag = `project ${Date.now()}-${process.pid}`;
    const [one, two] = await Promise.all(
      ["one", "two"].map((p) => mkdtemp(path.join(tmpdir(), `gantry-explain-${p}-`))),
    );
    await runIn("docker", state, () => lint(`echo ${tag} hello`), one);
    const other = await runIn("docker", state, () => lint(`echo ${tag} hi`), two);
    expect(misses(other.events)).toEqual(["no earlier result for this step"]);
    const same = await runIn("docker", state, () => lint(`echo ${tag} hey`), one);
    expect(misses(same.events)).toEqual([`command changed (earlier: sh -c echo ${tag} hello)`]);
  });
});
