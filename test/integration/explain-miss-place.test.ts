// "Why did this run": a step with no record of its own is compared only with a step like it at the same place
// (same kinds of inputs, same program). A daily audit with its own variable is not "lint with its command changed";
// an edited command still shows the command it replaced.
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
});
