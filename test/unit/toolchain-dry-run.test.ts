// `--dry-run` through a preset: a task that reaches a step that would run is planned, not failed, and the workflow
// ends as the dry run's stop (the CLI then says which steps would run and exits 0), unless a task really failed.
import { describe, expect, it } from "vitest";
import { DryRunStop, TaskError } from "../../src/errors.js";
import { passOnDryRun, runTask, settleTask } from "../../src/toolchains/core/run-task.js";
import { runCi, type CiHost, type CiSteps } from "../../src/toolchains/core/workflows.js";
import type { ToolchainPlan } from "../../src/toolchains/core/toolchain-plan.js";

const stop = () =>
  new DryRunStop("dry run: withExec npm test would run", { step: "withExec npm test" });

describe("a dry run's stop in a task", () => {
  it("passes through runTask unchanged, where any other failure becomes a TaskError", async () => {
    const s = stop();
    await expect(runTask("test", () => Promise.reject(s))).rejects.toBe(s);
    await expect(runTask("test", () => Promise.reject(new Error("boom")))).rejects.toBeInstanceOf(
      TaskError,
    );
  });

  it("settles as 'would run', and a stage with no failure passes it on", async () => {
    const s = stop();
    const would = await settleTask("test", () => Promise.reject(s));
    expect(would).toMatchObject({ task: "test", status: "would run", stop: s });
    const passed = await settleTask("lint", () => Promise.resolve("ok"));
    expect(() => passOnDryRun([passed, would])).toThrow(s);
    // a real failure wins: the stage reports it as failed
    const failed = await settleTask("format", () => Promise.reject(new Error("bad")));
    expect(failed.status).toBe("failed");
    expect(() => passOnDryRun([failed, would])).not.toThrow();
    expect(() => passOnDryRun([passed])).not.toThrow();
  });
});

describe("runCi in a dry run", () => {
  const plan = { reports: [] } as unknown as ToolchainPlan;
  const host = (lint: () => Promise<string>): CiHost =>
    ({
      setup: () => Promise.resolve({}),
      format: () => Promise.resolve("formatted"),
      lint,
      security: () => Promise.resolve("scanned"),
      test: () => Promise.reject(stop()),
    }) as unknown as CiHost;
  const steps: CiSteps = {
    run: new Set(["setup", "format", "lint", "security", "test"]),
    skipped: [],
  };

  it("ends with the stop when tasks would run and none failed", async () => {
    const err = await runCi(
      host(() => Promise.resolve("linted")),
      plan,
      steps,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DryRunStop);
  });

  it("still fails as ci when a task really failed beside one that would run", async () => {
    const err = await runCi(
      host(() => Promise.reject(new Error("lint broke"))),
      plan,
      steps,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).message).toMatch(/^ci failed: lint failed/);
    expect((err as TaskError).message).toMatch(/test\s+would run/);
  });
});

describe("runCi's table after a failure", () => {
  it("lists the later stages' tasks as not run, beside those left out by --skip", async () => {
    const plan = { reports: [] } as unknown as ToolchainPlan;
    const host = { setup: () => Promise.reject(new Error("no image")) } as unknown as CiHost;
    const steps: CiSteps = {
      run: new Set(["setup", "lint", "test", "build"]),
      skipped: ["format"],
    };
    const err = (await runCi(host, plan, steps).catch((e: unknown) => e)) as TaskError;
    expect(err.message).toMatch(
      /task\s+result\s+time\nsetup\s+failed\s+[\d.]+s\nlint\s+not run\ntest\s+not run\nbuild\s+not run\nformat\s+skipped\n/,
    );
  });
});
