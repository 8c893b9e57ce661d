import path from "node:path";
import { describe, expect, it } from "vitest";
import { userFrame } from "../../src/module/user-frame.js";

const GANTRY = path.resolve(import.meta.dirname, "../..");

describe("userFrame", () => {
  it("skips Gantry's, node_modules' and Node's frames and shows the module's line relative to the cwd", () => {
    const stack = [
      "TypeError: Cannot read properties of undefined (reading 'foo')",
      "    at node:internal/process/task_queues:95:5",
      `    at Directory.entries (file://${GANTRY}/dist/sdk/directory.js:12:3)`,
      "    at helper (/proj/node_modules/lib/index.js:1:1)",
      "    at async Errs.boom (/proj/.gantry/src/index.ts:40:14)",
      `    at wrapUserError (file://${GANTRY}/dist/cli/call/callable.js:32:22)`,
    ].join("\n");
    expect(userFrame(stack, "/proj")).toBe(".gantry/src/index.ts:40:14");
    expect(userFrame(stack, "/elsewhere")).toBe("/proj/.gantry/src/index.ts:40:14");
  });

  it("reads anonymous frames and file URLs, and gives nothing when no frame is the user's", () => {
    expect(userFrame("Error: x\n    at file:///proj/a.ts:3:9", "/proj")).toBe("a.ts:3:9");
    expect(userFrame(`Error: x\n    at f (${GANTRY}/src/sdk/x.ts:1:1)`, "/proj")).toBeUndefined();
    expect(userFrame(undefined, "/proj")).toBeUndefined();
  });
});
