// A preset's own `ci` records its full passes for deploy's quality gate (no override in the module needed): the
// record names the source digest deploy will check; `--fast`/`--skip` record nothing.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { projectStateDir } from "../../src/store/project-state-dir.js";
import { copyToolchainFixture } from "../helpers/toolchain-fixture.js";

const tmp = tempDir("gantry-tc-gate-");
let project: string;
let stateDir: string;

beforeAll(() => {
  ({ project, stateDir } = copyToolchainFixture(tmp.dir, "env-generic"));
});
afterAll(() => tmp.cleanup());

const gantry = (args: string[]) =>
  runGantry(["--progress=plain", ...args], { cwd: project, stateDir });
const checksDir = () => path.join(projectStateDir(stateDir, project), "checks");
const records = () => (fs.existsSync(checksDir()) ? fs.readdirSync(checksDir()) : []);

describe("a preset's ci and the deploy gate", () => {
  it("records nothing when checks were left out", async () => {
    const fast = await gantry(["call", "ci", "--fast"]);
    expect(fast.code, fast.stderr).toBe(0);
    expect(fast.stdout).toContain("not recorded for deploy: checks were left out");
    const skip = await gantry(["call", "ci", "--skip=test"]);
    expect(skip.code).toBe(0);
    expect(skip.stdout).toContain("not recorded for deploy");
    expect(records()).toEqual([]);
  });

  it("records a full pass under the source digest deploy reads", async () => {
    const r = await gantry(["call", "ci"]);
    expect(r.stderr).not.toMatch(/^Error/m);
    expect(r.code).toBe(0);
    const digest = /recorded for deploy: (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1];
    expect(digest, r.stdout).toBeDefined();
    const file = path.join(checksDir(), `${digest?.slice("sha256:".length)}.json`);
    const rec = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
    expect(rec.sourceDigest).toBe(digest);
    expect(rec.checks).toBe("ci");
    expect(records()).toHaveLength(1);
  });
});
