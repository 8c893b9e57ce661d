// Module dependencies and packages as Dagger modules declare them: dagger.json dependencies (a local folder, a
// pinned git ref) called as dag.<name>(), `gantry install`, the module's npm packages, tsconfig paths aliases.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { copyFixture, tempDir } from "../unit/module-test-helpers.js";
import { runGantry } from "../unit/cli-test-helpers.js";

const { dir, cleanup } = tempDir();
const root = copyFixture("dagger-deps", dir);
const app = path.join(root, "app");
const state = path.join(dir, "state");
afterAll(() => cleanup());

const gantry = (args: string[], cwd = app) => runGantry(args, { cwd, stateDir: state });
const call = (args: string[], cwd = app) =>
  gantry(["call", "--runtime=host", "--progress=plain", ...args], cwd);

// The dependency as a git repository of its own, with a tag.
function libRepo(): { url: string; commit: string } {
  const repo = path.join(dir, "lib-repo");
  fs.cpSync(path.join(root, "lib"), repo, { recursive: true });
  const git = (...a: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...a], {
      cwd: repo,
      encoding: "utf8",
    }).trim();
  git("init", "--quiet", "--initial-branch=main");
  git("add", ".");
  git("commit", "--quiet", "-m", "lib");
  git("tag", "v1");
  return { url: `file://${repo}`, commit: git("rev-parse", "HEAD") };
}

describe("a module with a dependency, an npm package and a paths alias", () => {
  it("installs the module's packages once (by lockfile digest) and calls the dependency", async () => {
    const first = await call(["hello"]);
    expect(first.stderr).toContain("installing 1 package(s) for module app");
    expect(first.stdout).toBe("hi, bob!\n");
    expect(first.code).toBe(0);
    const again = await call(["hello", "--name=ann"]);
    expect(again.stderr).not.toContain("installing");
    expect(again.stdout).toBe("hi, ann!\n");
    // nothing was written into the project: packages live in the state dir
    expect(fs.existsSync(path.join(app, ".dagger/node_modules"))).toBe(false);
  });

  it("uses the npm package and the aliased file", async () => {
    expect((await call(["duration", "--text=2h"])).stdout).toBe("[7200000]\n");
  });

  it("reads a dependency's field with a call, and each module sees itself as currentModule", async () => {
    expect((await call(["about"])).stdout).toBe("hello from greeter called by app\n");
  });

  it("chains on an async dependency function's container before it is awaited", async () => {
    const r = await call(["banner"]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout).toBe("hey\n");
  });

  it("prints a dependency's object returned as it is by its fields, not as calls", async () => {
    const r = await call(["team-of"]);
    expect(r.stderr).not.toMatch(/Error/);
    const printed = JSON.parse(r.stdout) as { name: string; lead: { name: string } };
    expect(printed.name).toBe("core");
    expect(printed.lead.name).toBe("ann");
  });

  it("chains through a dependency's custom objects as Dagger's client does", async () => {
    // fields read with a call, a nested object and an object method chained without awaiting, a list of objects,
    // an async function's object result chained, an object handed back to the dependency
    const r = await call(["team"]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout).toBe(
      [
        "core",
        "2",
        "ann",
        "hello, I am ann (greeter)",
        "ann,bob",
        "infra",
        "hey, I am bob (greeter)",
        "ops: ann,bob led by ann",
      ].join("\n") + "\n",
    );
  });

  it("names a dag.<name>() that is neither core API nor a declared dependency", async () => {
    const r = await call(["missing"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      "dag.nope() is neither Dagger core API nor a dependency of module app",
    );
    expect(r.stderr).not.toContain("is not a function");
  });
});

describe("gantry install", () => {
  it("pins a git dependency to its commit and calls it from the checkout", async () => {
    const { url, commit } = libRepo();
    const r = await gantry(["install", `${url}@v1`]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`installed greeter from ${url}@v1 (pinned to ${commit.slice(0, 12)})\n`);
    const config = JSON.parse(fs.readFileSync(path.join(app, "dagger.json"), "utf8")) as {
      dependencies: unknown[];
    };
    expect(config.dependencies).toEqual([{ name: "greeter", source: `${url}@v1`, pin: commit }]);
    // the project's own lib folder is gone from the picture: the call goes through the pinned checkout
    fs.rmSync(path.join(root, "lib"), { recursive: true });
    expect((await call(["hello"])).stdout).toBe("hi, bob!\n");
  });

  it("adds a local folder by its path relative to the module, named after its module", async () => {
    const other = path.join(dir, "other");
    fs.mkdirSync(path.join(other, ".dagger/src"), { recursive: true });
    fs.writeFileSync(
      path.join(other, "dagger.json"),
      JSON.stringify({ name: "other", sdk: "typescript", source: ".dagger" }),
    );
    fs.writeFileSync(
      path.join(other, ".dagger/src/index.ts"),
      'import { object, func } from "@dagger.io/dagger";\n@object() class Other { @func() hi(): string { return "hi"; } }\n',
    );
    fs.cpSync(path.join(dir, "lib-repo"), path.join(dir, "lib2"), { recursive: true });
    const r = await gantry(["install", "../lib2"], other);
    expect(r.stdout).toBe("installed greeter from ../lib2\n");
    const config = JSON.parse(fs.readFileSync(path.join(other, "dagger.json"), "utf8")) as {
      dependencies: unknown[];
    };
    expect(config.dependencies).toEqual([{ name: "greeter", source: "../lib2" }]);
  });

  it("names a dependency that cannot load (a Python module) before anything runs", async () => {
    const py = path.join(dir, "py-mod");
    fs.mkdirSync(py);
    fs.writeFileSync(
      path.join(py, "dagger.json"),
      JSON.stringify({ name: "prompt", sdk: "python" }),
    );
    const user = path.join(dir, "user");
    fs.mkdirSync(path.join(user, ".dagger/src"), { recursive: true });
    fs.writeFileSync(
      path.join(user, "dagger.json"),
      JSON.stringify({
        name: "user",
        sdk: "typescript",
        source: ".dagger",
        dependencies: [{ name: "prompt", source: "../py-mod" }],
      }),
    );
    fs.writeFileSync(
      path.join(user, ".dagger/src/index.ts"),
      'import { dag, object, func } from "@dagger.io/dagger";\n@object() class User { @func() async go(): Promise<string> { return (dag as any).prompt().run(); } }\n',
    );
    const r = await call(["go"], user);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'dependency prompt (../py-mod) of this module cannot load: dagger.json names the SDK "python"',
    );
  });
});
