// A step's name is the command a person wrote: a preset's check shows `sh -c "npm run lint"`, not the shell lines
// after it that turn a missing tool (exit 127) into "not checked".
import { describe, expect, it } from "vitest";
import { execStepName } from "../../src/engine/evaluate/exec.js";
import { AFTER_TOOL_CHECK } from "../../src/engine/evaluate/tool-check-wrapper.js";
import { checkArgv } from "../../src/toolchains/core/missing-tool.js";

describe("execStepName", () => {
  it("shows a check's own command without the missing-tool wrapper", () => {
    expect(execStepName(checkArgv("npm run lint"))).toBe('withExec sh -c "npm run lint"');
    expect(execStepName(checkArgv("ruff format --check ."))).toBe(
      'withExec sh -c "ruff format --check ."',
    );
    // with passed-through arguments: the line that takes them, then its positional arguments
    expect(execStepName(checkArgv("make lint", ["-k"]))).toBe(
      'withExec sh -c "make lint \\"$@\\"" sh -k',
    );
  });

  it("leaves every other command as written", () => {
    expect(execStepName(["npm", "test"])).toBe("withExec npm test");
    expect(execStepName(["sh", "-c", "echo a; echo b"])).toBe('withExec sh -c "echo a; echo b"');
    // the wrapper's text elsewhere than at the end of a sh -c script is the command's own
    const own = `${AFTER_TOOL_CHECK}\necho after`;
    expect(execStepName(["sh", "-c", own])).toMatch(/^withExec sh -c "c=\$\?; if /);
  });
});
