// `gantry ci generate github` writes workflows GitHub's own parser (@actions/workflow-parser) accepts, calling the
// module's functions: one job per check, the state dir cached, and the deploy chain (gate, deploy, health, rollback).
import { spawnSync } from "node:child_process";
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
    const install = test.find((s) => s.name === "install gantry");
    expect(test.map((s) => s.run).filter(Boolean)).toEqual([install?.run, "gantry call test"]);
    // from what the repository says (Gantry is not on the public registry: a name anyone could take), else a clear stop
    expect(install?.env).toEqual({ GANTRY_INSTALL: "${{ vars.GANTRY_INSTALL }}" });
    expect(String(install?.run)).not.toMatch(/gantry@/);
    const fakeNpm = path.join(dir, "fake-bin");
    fs.mkdirSync(fakeNpm);
    fs.writeFileSync(path.join(fakeNpm, "npm"), '#!/bin/sh\necho "npm $*"\n', { mode: 0o755 });
    const sh = (vars: Record<string, string>) =>
      spawnSync("/bin/sh", ["-c", String(install?.run)], {
        encoding: "utf8",
        env: { PATH: fakeNpm, ...vars },
      });
    const unset = sh({ GANTRY_INSTALL: "" });
    expect(unset.status).toBe(1);
    expect(unset.stdout).toMatch(
      /^::error::Gantry is not on the public npm registry: set the repository variable GANTRY_INSTALL/,
    );
    const set = sh({ GANTRY_INSTALL: "git+https://git.example/acme/gantry.git#v0.1.0" });
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toBe(
      "npm install --global git+https://git.example/acme/gantry.git#v0.1.0\n",
    );
    const cache = test.find((s) => s.uses === "actions/cache@v4")?.with as Record<string, string>;
    expect(cache.path).toBe("~/.cache/gantry");
    expect(cache.key).toBe("gantry-${{ runner.os }}-test-${{ github.sha }}");

    const dep = parse(fs.readFileSync(deploy, "utf8")) as Workflow;
    expect(dep.on).toEqual({
      workflow_run: { workflows: ["ci"], types: ["completed"], branches: ["main"] },
      workflow_dispatch: {},
    });
    expect(dep.jobs.gate!.if).toBe(
      "${{ github.event_name == 'workflow_dispatch' || github.event.workflow_run.conclusion == 'success' }}",
    );
    expect(dep.jobs.deploy!.steps.at(-2)).toEqual({
      name: "gantry call deploy-app",
      run: "gantry call deploy-app --token=env:TOKEN",
      env: { TOKEN: "${{ secrets.TOKEN }}" },
    });
  });

  it("writes the deploy chain for a module with deploy and rollback: ci → gate → deploy → health → rollback", async () => {
    const root = path.join(dir, "shop");
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, "Dockerfile"), "FROM busybox\nEXPOSE 8080\n");
    const state = path.join(dir, "state");
    expect((await runGantry(["init"], { cwd: root, stateDir: state })).code).toBe(0);
    const r = await runGantry(["ci", "generate", "github"], { cwd: root, stateDir: state });
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(root, ".github/workflows/deploy.yml");
    expect(await githubErrors(file)).toEqual([]);
    const text = fs.readFileSync(file, "utf8");
    expect(text).toMatch(/^# Approval: add required reviewers to the `production` environment/m);
    expect(text).toMatch(/^# Secrets: FLY_TOKEN · variable DEPLOY_URL/m);
    type Job = {
      needs?: string | string[];
      if?: string;
      environment?: string;
      steps: Record<string, unknown>[];
    };
    const wf = parse(text) as { jobs: Record<string, Job> };
    expect(Object.keys(wf.jobs)).toEqual(["gate", "deploy", "health", "rollback"]);
    const { gate, deploy, health, rollback } = wf.jobs as Record<string, Job>;
    const runs = (j: Job) => j.steps.map((s) => s.run).filter(Boolean);
    const caches = (j: Job) =>
      j.steps.filter((s) => String(s.uses).startsWith("actions/cache/")) as {
        uses: string;
        if?: string;
        with: { key: string; "restore-keys"?: string };
      }[];
    // gate: ci again on the commit ci passed on, which records the pass in the state it saves for deploy
    expect(runs(gate!).slice(1)).toEqual(["gantry call ci"]);
    expect(gate!.steps.find((s) => s.name === "install gantry")).toBeDefined();
    const [gateIn, gateOut] = caches(gate!);
    expect(gateIn!.with["restore-keys"]).toMatch(/^gantry-\$\{\{ runner\.os \}\}-deploy-\n/);
    // deploy: in the approved environment, after gate, from the gate's state, the token from the secrets
    expect(deploy!.needs).toBe("gate");
    expect(deploy!.environment).toBe("production");
    const [deployIn, deployOut] = caches(deploy!);
    expect(deployIn!.with.key).toBe(gateOut!.with.key);
    expect(deploy!.steps.find((s) => s.name === "gantry call deploy")).toEqual({
      name: "gantry call deploy",
      run: "gantry call deploy --fly-token=env:FLY_TOKEN",
      env: { FLY_TOKEN: "${{ secrets.FLY_TOKEN }}" },
    });
    expect(deployOut!.if).toBe("always()");
    // health, then rollback only when health failed after a deploy that succeeded
    expect(health!.needs).toBe("deploy");
    expect(runs(health!)[0]).toContain('--retry-all-errors "$DEPLOY_URL"');
    expect(rollback!.needs).toEqual(["deploy", "health"]);
    expect(rollback!.if).toBe(
      "${{ always() && needs.deploy.result == 'success' && needs.health.result == 'failure' }}",
    );
    expect(rollback!.environment).toBe("production");
    const [rbIn, rbOut] = caches(rollback!);
    expect(rbIn!.with.key).toBe(deployOut!.with.key);
    expect(rbOut!.with.key).toBe(`${deployOut!.with.key}-rollback`);
    expect(runs(rollback!)).toContain("gantry call rollback");
    // no deploy-like function became a ci check
    const ci = parse(fs.readFileSync(path.join(root, ".github/workflows/ci.yml"), "utf8")) as {
      jobs: Record<string, unknown>;
    };
    expect(Object.keys(ci.jobs)).not.toEqual(expect.arrayContaining(["rollback"]));
    for (const j of ["deploy", "releases", "rollback"]) expect(ci.jobs[j]).toBeUndefined();
    // no secret value anywhere, only references to the repository's secrets
    expect(text).not.toMatch(/FLY_TOKEN: [^$]/);
  });

  it("passes the constructor's required values from repository variables and secrets, and warns of a module outside", async () => {
    const root = path.join(dir, "needs-env");
    fs.mkdirSync(path.join(root, ".gantry"), { recursive: true });
    fs.writeFileSync(
      path.join(root, "gantry.json"),
      JSON.stringify({ name: "needs-env", source: ".gantry" }),
    );
    fs.writeFileSync(
      path.join(root, ".gantry/index.ts"),
      `import { check, func, object, Secret } from "gantry";
@object()
export class NeedsEnv {
  env: string;
  token: Secret;
  constructor(env: string, token: Secret) {
    this.env = env;
    this.token = token;
  }
  @func() @check()
  async fine(): Promise<string> {
    return this.env;
  }
}
`,
    );
    const state = path.join(dir, "state");
    const r = await runGantry(["ci", "generate", "github"], { cwd: root, stateDir: state });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "note: needs-env's constructor needs --env: every job passes the repository variable ENV as --env; set it",
    );
    const ci = path.join(root, ".github/workflows/ci.yml");
    expect(await githubErrors(ci)).toEqual([]);
    const wf = parse(fs.readFileSync(ci, "utf8")) as Workflow;
    const call = wf.jobs.fine!.steps.at(-1) as { run: string; env: Record<string, string> };
    // the variable's value through the environment, quoted: never pasted into the script, where it would run
    expect(call.run).not.toContain("${{");
    expect(call.env).toEqual({
      TOKEN: "${{ secrets.TOKEN }}",
      GANTRY_VAR_ENV: "${{ vars.ENV }}",
    });
    const fakeBin = path.join(dir, "bin-gantry");
    fs.mkdirSync(fakeBin);
    fs.writeFileSync(
      path.join(fakeBin, "gantry"),
      '#!/bin/sh\nfor a in "$@"; do echo "[$a]"; done\n',
      {
        mode: 0o755,
      },
    );
    const runStep = (value: string) =>
      spawnSync("/bin/sh", ["-c", call.run], {
        encoding: "utf8",
        env: { PATH: `${fakeBin}:/usr/bin:/bin`, GANTRY_VAR_ENV: value, TOKEN: "t" },
      });
    const hostile = runStep("prod; echo INJECTED");
    expect(hostile.status).toBe(0);
    expect(hostile.stdout).toContain("[--env=prod; echo INJECTED]");
    expect(hostile.stdout).not.toMatch(/^INJECTED$/m);
    const unset = runStep("");
    expect(unset.status).not.toBe(0);
    expect(unset.stderr).toContain(
      "set the repository variable ENV (--env of the module's constructor)",
    );

    const elsewhere = path.join(dir, "other-repo");
    fs.mkdirSync(elsewhere);
    const out = await runGantry(["-m", root, "ci", "generate", "github", "--output", elsewhere], {
      cwd: dir,
      stateDir: state,
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain("warning: the module (../needs-env) is outside");
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
