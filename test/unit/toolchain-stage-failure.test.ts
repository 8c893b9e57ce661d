// A workflow's failure keeps what its failed tasks knew: their hints, and the first failure as its cause.
import { describe, expect, it } from "vitest";
import { ImageError, TaskError } from "../../src/errors.js";
import { settleTask } from "../../src/toolchains/core/run-task.js";
import { stageFailure } from "../../src/toolchains/core/summary.js";
import { imageDefaultHint } from "../../src/cli/image-default-hint.js";

describe("stageFailure", () => {
  it("carries the failed tasks' hints (each once) and the first failure as its cause", async () => {
    const pull = new ImageError("image node:22 is not on this machine", {
      ref: "node:22",
      hint: "connect to the registry",
    });
    const outcomes = [
      await settleTask("setup", () => Promise.reject(pull)),
      await settleTask("lint", () => Promise.resolve("ok")),
      await settleTask("test", () =>
        Promise.reject(new ImageError("again", { hint: "connect to the registry" })),
      ),
      await settleTask("format", () => Promise.reject(new Error("no hint here"))),
    ];
    const err = stageFailure("ci", outcomes);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toMatch(/^ci failed: setup, test, format failed/);
    expect(err.hint).toBe("connect to the registry");
    expect((err.cause as TaskError).tasks).toEqual(["setup"]);
    // so the CLI finds the pull's image through it and names the flag that picks another
    expect(imageDefaultHint(err, [{ ref: "node:22", flag: "--image" }])).toMatch(/`--image=REF`/);
  });

  it("has no hint when no failed task had one", async () => {
    const err = stageFailure("ci", [
      await settleTask("lint", () => Promise.reject(new Error("x"))),
    ]);
    expect(err.hint).toBeUndefined();
  });
});
