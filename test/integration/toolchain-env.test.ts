// `ci --env=NAME`: every task sees the environment's variables (the project's .env.NAME under the module's
// environments.NAME, plus GANTRY_ENV); an unknown name is a usage error listing the known ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { parseDotenv } from "../../src/toolchains/core/environments.js";
import { copyToolchainFixture } from "../helpers/toolchain-fixture.js";

const tmp = tempDir("gantry-tc-env-");
let project: string;
let stateDir: string;

beforeAll(() => {
  ({ project, stateDir } = copyToolchainFixture(tmp.dir, "env-generic"));
});
afterAll(() => tmp.cleanup());

const gantry = (args: string[]) =>
  runGantry(["--progress=plain", ...args], { cwd: project, stateDir });

describe("ci --env", () => {
  it("gives every task the environment's variables, the module's over the .env file's", async () => {
    const r = await gantry(["call", "ci", "--env=staging"]);
    expect(r.stderr).not.toMatch(/^Error/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^test\s+passed/m);
    expect(r.stderr).toContain("greeting=hello staging api=https://staging.example env=staging");
  });

  it("takes an environment from its .env file alone, and none without --env", async () => {
    const prod = await gantry(["call", "ci", "--env=prod"]);
    expect(prod.code).toBe(0);
    expect(prod.stderr).toContain("greeting=hello prod api= env=prod");
    const none = await gantry(["call", "ci"]);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain("greeting= api= env=");
  });

  it("refuses an unknown environment, listing the known ones", async () => {
    const r = await gantry(["call", "ci", "--env=nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no environment "nope"');
    expect(r.stderr).toContain("known environments: prod, qa, staging");
  });
});

describe("parseDotenv", () => {
  it("reads comments, export, quotes and trailing comments", () => {
    expect(
      parseDotenv('# c\n\nA=1\nexport B = two words # note\nC="q \\"x\\"\\n"\nD=\'$raw\'\n', "f"),
    ).toEqual({ A: "1", B: "two words", C: 'q "x"\n', D: "$raw" });
  });

  it("names the file and line of a line it cannot read", () => {
    expect(() => parseDotenv("A=1\nnot a pair\n", ".env.x")).toThrow(
      ".env.x:2: expected KEY=VALUE",
    );
  });
});
