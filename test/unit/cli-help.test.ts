import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyFixture, tempDir } from "./module-test-helpers.js";
import { runGantry } from "./cli-test-helpers.js";

let dir: string;
let root: string;
let cleanup: () => void;
let run: (args: string[], env?: Record<string, string>) => ReturnType<typeof runGantry>;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  root = copyFixture("gantry-basic", dir);
  run = (args, env) =>
    runGantry(args, { cwd: root, stateDir: path.join(dir, "state"), ...(env ? { env } : {}) });
});
afterEach(() => cleanup());

describe("gantry (top level)", () => {
  it("prints help with --help and without a command", async () => {
    for (const args of [["--help"], ["-h"], []]) {
      const r = await run(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Gantry runs your pipeline/);
      expect(r.stdout).toContain("call FUNCTION [CHAIN]");
      expect(r.stdout).toMatch(/^ {2}init {2,}detect the project's toolchain/m);
      expect(r.stdout).toMatch(/^ {2}check \[PATTERN…\] {2,}run the module's checks/m);
    }
  });

  it("prints the version", async () => {
    expect((await run(["--version"])).stdout).toMatch(/^gantry \d+\.\d+\.\d+\n$/);
  });

  it("suggests the closest command and exits 2", async () => {
    const r = await run(["fuctions"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'Error: unknown command "fuctions": commands are functions, call, core, install, check, init, develop, compose, cache, report, ci, doctor. Did you mean functions?\n',
    );
  });

  it("checks global flag values, also from the environment", async () => {
    expect((await run(["--runtime=vm", "functions"])).stderr).toContain(
      '--runtime must be one of docker, host, auto, got "vm"',
    );
    expect((await run(["functions"], { GANTRY_PROGRESS: "fancy" })).stderr).toContain(
      "GANTRY_PROGRESS must be one of",
    );
  });
});

describe("gantry functions", () => {
  it("prints a table of kebab-case names and first doc lines", async () => {
    const r = await run(["functions"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "Name         Description",
        "node         Node version used by every step.",
        "test         Run the test suite.",
        "build        Build the app into a container.",
        "deploy-app   Publish with a token.",
        "report       A report object to chain on.",
        "",
      ].join("\n"),
    );
  });

  it("finds the module with -m from anywhere, before or after the command", async () => {
    const a = await runGantry(["-m", root, "functions"], {
      cwd: dir,
      stateDir: path.join(dir, "state"),
    });
    const b = await runGantry(["functions", "--mod", root], {
      cwd: dir,
      stateDir: path.join(dir, "state"),
    });
    expect(a.stdout).toContain("deploy-app");
    expect(b.stdout).toBe(a.stdout);
  });

  it("has its own help and rejects arguments", async () => {
    expect((await run(["functions", "--help"])).stdout).toMatch(
      /^List the functions of the module/,
    );
    const r = await run(["functions", "test"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("to call a function, run gantry call test");
  });

  it("works on a Dagger module", async () => {
    const hello = copyFixture("dagger-hello", dir);
    const r = await runGantry(["functions"], { cwd: hello, stateDir: path.join(dir, "state") });
    expect(r.stdout.split("\n").map((l) => l.split(" ")[0])).toEqual([
      "Name",
      "publish",
      "build",
      "test",
      "build-env",
      "hello",
      "",
    ]);
  });
});

describe("gantry call --help", () => {
  it("lists the functions and the constructor flags", async () => {
    const r = await run(["call", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "Usage: gantry call [CONSTRUCTOR FLAGS] FUNCTION [FLAGS] [CHAIN...]",
    );
    expect(r.stdout).toContain("  deploy-app   Publish with a token.");
    expect(r.stdout).toContain('  --node string   Node version used by every step (default: "20")');
  });

  it("answers outside a module too: the usage, and why no functions are listed", async () => {
    const nowhere = path.join(dir, "empty");
    fs.mkdirSync(nowhere);
    for (const args of [
      ["call", "--help"],
      ["call", "-h"],
      ["--help", "call"],
    ]) {
      const r = await runGantry(args, { cwd: nowhere, stateDir: path.join(dir, "state") });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(
        "Usage: gantry call [CONSTRUCTOR FLAGS] FUNCTION [FLAGS] [CHAIN...]",
      );
      expect(r.stdout).toContain("No functions to list: no module found");
      expect(r.stdout).toContain("--runtime MODE");
    }
    // a call that is not asking for help still fails on the missing module
    const call = await runGantry(["call", "test"], {
      cwd: nowhere,
      stateDir: path.join(dir, "state"),
    });
    expect(call.code).toBe(1);
    expect(call.stderr).toContain("no module found");
  });

  it("says a module without @func() methods has no functions, and how to mark them", async () => {
    const bare = path.join(dir, "bare");
    fs.mkdirSync(path.join(bare, ".gantry"), { recursive: true });
    fs.writeFileSync(
      path.join(bare, "gantry.json"),
      JSON.stringify({ name: "bare", source: ".gantry" }),
    );
    fs.writeFileSync(
      path.join(bare, ".gantry/index.ts"),
      'import { object } from "gantry";\n@object()\nexport class Bare {\n  hello(): string {\n    return "x";\n  }\n}\n',
    );
    const opts = { cwd: bare, stateDir: path.join(dir, "state") };
    const call = await runGantry(["call", "hello"], opts);
    expect(call.code).toBe(2);
    expect(call.stderr).toContain("bare has no functions: no method of Bare is marked @func()");
    expect(call.stderr).toContain("mark each method to call with @func()");
    const fns = await runGantry(["functions"], opts);
    expect(fns.code).toBe(0);
    expect(fns.stderr).toContain(
      "warning: bare has no functions: no method of Bare is marked @func()",
    );
    const flag = await runGantry(["functions", "--bogus"], opts);
    expect(flag.stderr).toContain(
      "unknown flag --bogus for gantry functions: it takes only the global flags",
    );
  });

  it("lists a function's flags with types, defaults and docs", async () => {
    const r = await run(["call", "test", "--help"]);
    expect(r.stdout).toContain("Run the test suite.\n\nLong description");
    expect(r.stdout).toContain(
      "--source Directory   the project to test (default: the git repository's root (the module's folder outside git); ignores node_modules, .git)",
    );
    expect(r.stdout).toContain("--fast               skip the slow tests (default: false)");
    expect(r.stdout).toContain("Returns: string");
  });

  it("shows required flags, enums and what can be chained on the result", async () => {
    const build = (await run(["call", "build", "-h"])).stdout;
    expect(build).toContain("--source Directory   (required)");
    expect(build).toContain("--tags string[]");
    expect(build).toContain("Chain on the result (Container):");
    expect(build).toContain("  export ");
    const deploy = (await run(["call", "deploy-app", "--help"])).stdout;
    expect(deploy).toContain("--level info|warn   (default: Level.Info)");
  });

  it("gives help for a chain step", async () => {
    const r = await run(["call", "build", "export", "--help"]);
    expect(r.stdout).toContain("Usage: gantry call build export [FLAGS]");
    expect(r.stdout).toContain(
      "--path string   host path, relative to the current folder (required)",
    );
    const lines = await run(["call", "report", "lines", "--help"]);
    expect(lines.stdout).toContain("--count number   (default: 2)");
  });

  it("still shows help when a flag is wrong", async () => {
    const r = await run(["call", "test", "--nope", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: gantry call test");
  });
});

describe("gantry call: usage errors before anything runs", () => {
  it("names an unknown function, lists the existing ones and suggests one", async () => {
    const r = await run(["call", "tset"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'Error: unknown function "tset": basic-ci has node, test, build, deploy-app, report. Did you mean test?\n',
    );
  });

  it("names an unknown flag and suggests one", async () => {
    const r = await run(["call", "test", "--fats"]);
    expect(r.stderr).toBe(
      "Error: unknown flag --fats for function test: its flags are --source, --fast, --node. Did you mean --fast?\n",
    );
  });

  it("names a missing required flag", async () => {
    expect((await run(["call", "build"])).stderr).toBe(
      "Error: function build needs --source (Directory): add --source=VALUE\n",
    );
  });

  it("names the flag and path of a missing directory", async () => {
    const r = await run(["call", "build", "--source=nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^Error: --source: nope does not exist \(.*\/nope\): pass an existing directory\n$/,
    );
    // an absolute path is said once
    const abs = await run(["call", "build", "--source=/no/such/dir"]);
    expect(abs.stderr).toBe(
      "Error: --source: /no/such/dir does not exist: pass an existing directory\n",
    );
  });

  it("names the variable of an unset env: secret and never echoes a secret typed as a value", async () => {
    expect((await run(["call", "deploy-app", "--token=env:NOPE"])).stderr).toContain(
      "environment variable NOPE is not set",
    );
    const r = await run(["call", "deploy-app", "--token=hunter2hunter2"]);
    expect(r.stderr).not.toContain("hunter2");
  });

  it("refuses to chain on a scalar and names an unknown chain word on an SDK result", async () => {
    expect((await run(["call", "test", "stdout"])).stderr).toContain(
      'test (string) has nothing to call: remove "stdout"',
    );
    const r = await run(["call", "build", "--source=.", "exprot"]);
    expect(r.stderr).toMatch(
      /unknown function "exprot": build \(Container\) has from, sync, .*\. Did you mean export\?/,
    );
  });

  it("names a module syntax error by file, line and column", async () => {
    const fs = await import("node:fs");
    fs.appendFileSync(path.join(root, ".gantry/index.ts"), "\nexport const broken = ;\n");
    const r = await run(["functions"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Error: \.gantry\/index\.ts:\d+:\d+: Expression expected: fix the syntax error\n$/,
    );
  });
});
