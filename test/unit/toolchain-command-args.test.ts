// Arguments passed through to a task (`gantry call test --args=--test-name-pattern=x`) reach the project's script:
// run by a real shell and the real npm against a package.json whose scripts print what they were given.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commandArgv } from "../../src/toolchains/core/command.js";
import { checkArgv } from "../../src/toolchains/core/missing-tool.js";
import { tempDir } from "./module-test-helpers.js";

const tmp = tempDir("gantry-tc-args-");
afterAll(() => tmp.cleanup());

const PRINT = "node print.js";
const project = path.join(tmp.dir, "p");
fs.mkdirSync(project);
fs.writeFileSync(
  path.join(project, "print.js"),
  "console.log(JSON.stringify(process.argv.slice(2)));\n",
);
fs.writeFileSync(
  path.join(project, "package.json"),
  JSON.stringify({ name: "p", version: "1.0.0", scripts: { lint: PRINT, test: PRINT } }),
);

// The arguments the script printed, from the last line of its output.
function scriptArgs([program, ...args]: string[]): unknown {
  const r = spawnSync(program ?? "", args, { cwd: project, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "");
}

describe("a task's passed-through arguments", () => {
  const args = ["--test-name-pattern=greets", "-x", "two words"];

  it("reach an npm script whole, flags included (npm would take them before `--`)", () => {
    expect(scriptArgs(commandArgv("npm run lint", args))).toEqual(args);
    expect(scriptArgs(commandArgv("npm test", args))).toEqual(args);
    expect(scriptArgs(commandArgv(["npm", "run", "lint"], args))).toEqual(args);
    expect(scriptArgs(checkArgv("npm run lint", args))).toEqual(args);
  });

  it("are separated for the line's last command, which is what they reach", () => {
    expect(scriptArgs(commandArgv("cd . && CI=1 npm test", args))).toEqual(args);
    // npm first, another program last: that program gets them as they are, without npm's `--`
    expect(scriptArgs(commandArgv("npm run lint && node print.js", args))).toEqual(args);
  });

  it("are not separated twice, and a line without arguments is left as it is", () => {
    expect(scriptArgs(commandArgv("npm run lint --", args))).toEqual(args);
    expect(commandArgv("npm run lint")).toEqual(["sh", "-c", "npm run lint"]);
    expect(commandArgv("make lint", ["-k"])).toEqual(["sh", "-c", 'make lint "$@"', "sh", "-k"]);
  });
});
