// `gantry ci generate github` writes workflows GitHub's own parser (@actions/workflow-parser) accepts, calling the
// module's functions: one job per check, the state dir cached, a deploy workflow gated on ci.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
} from "@actions/workflow-parser";
import { parse } from "yaml";
import { copyFixture, tempDir } from "./module-test-helpers.js";
import { runGantry } from "./cli-test-helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

// GitHub's parser: schema errors while reading, then errors while converting (needs, expressions…).
async function githubErrors(file: string): Promise<string[]> {
  const parsed = parseWorkflow(
    { name: path.basename(file), content: fs.readFileSync(file, "utf8") },
    new NoOperationTraceWriter(),
  );
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length || !parsed.value) return errors;
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return (template.errors ?? []).map((e) => e.Message);
}

type Workflow = {
  on: Record<string, unknown>;
  env: Record<string, string>;
  jobs: Record<string, { if?: string; steps: Record<string, unknown>[] }>;
};

describe("gantry ci generate github", () => {
  it("writes a ci job per check and a deploy job after ci, both valid for GitHub", async () => {
    const root = copyFixture("gantry-basic", dir);
    const r = await runGantry(["ci", "generate", "github"], {
      cwd: root,
      stateDir: path.join(dir, "state"),
    });
    expect(r.code, r.stderr).toBe(0);
    const ci = path.join(root, ".github/workflows/ci.yml");
    const deploy = path.join(root, ".github/workflows/deploy.yml");
    expect(r.stdout).toBe(`${ci}\n${deploy}\n`);
    expect(await githubErrors(ci)).toEqual([]);
    expect(await githubErrors(deploy)).toEqual([]);

    const wf = parse(fs.readFileSync(ci, "utf8")) as Workflow;
    // test (its source has a default path) and report need no values; build needs --source; deploy-app deploys
    expect(Object.keys(wf.jobs)).toEqual(["test", "report"]);
    const test = wf.jobs.test!.steps;
    expect(test.map((s) => s.run).filter(Boolean)).toEqual([
      "npm install --global gantry@0.1.0",
      "gantry call test",
    ]);
    const cache = test.find((s) => s.uses === "actions/cache@v4")?.with as Record<string, string>;
    expect(cache.path).toBe("~/.cache/gantry");
    expect(cache.key).toBe("gantry-${{ runner.os }}-test-${{ github.sha }}");

    const dep = parse(fs.readFileSync(deploy, "utf8")) as Workflow;
    expect(dep.on).toEqual({
      workflow_run: { workflows: ["ci"], types: ["completed"], branches: ["main"] },
    });
    expect(dep.jobs.deploy!.if).toBe("${{ github.event.workflow_run.conclusion == 'success' }}");
    expect(dep.jobs.deploy!.steps.at(-1)).toEqual({
      name: "gantry call deploy-app",
      run: "gantry call deploy-app --token=env:TOKEN",
      env: { TOKEN: "${{ secrets.TOKEN }}" },
    });
  });

  it("does not overwrite workflows unless asked", async () => {
    const root = copyFixture("gantry-basic", dir);
    const state = path.join(dir, "state");
    expect(
      (await runGantry(["ci", "generate", "github"], { cwd: root, stateDir: state })).code,
    ).toBe(0);
    const again = await runGantry(["ci", "generate", "github"], { cwd: root, stateDir: state });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exist: pass --force to overwrite them");
    expect(
      (await runGantry(["ci", "generate", "github", "--force"], { cwd: root, stateDir: state }))
        .code,
    ).toBe(0);
  });

  it("uses the project's own gantry when package.json lists it", async () => {
    const root = copyFixture("gantry-basic", dir);
    fs.writeFileSync(
      path.join(root, "package.json"),
      JSON.stringify({ devDependencies: { gantry: "^0.1.0" } }),
    );
    expect(
      (
        await runGantry(["ci", "generate", "github"], {
          cwd: root,
          stateDir: path.join(dir, "state"),
        })
      ).code,
    ).toBe(0);
    const ci = path.join(root, ".github/workflows/ci.yml");
    const wf = parse(fs.readFileSync(ci, "utf8")) as Workflow;
    expect(wf.jobs.test!.steps.map((s) => s.run).filter(Boolean)).toEqual([
      "npm ci",
      "npx gantry call test",
    ]);
    expect(await githubErrors(ci)).toEqual([]);
  });
});
