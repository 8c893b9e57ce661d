// gantry init: detects the stacks from the project's files, writes a short module using the presets (only the
// scripts the project has), never overwrites without --force, and every module it writes lists the catalog.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runGantry } from "./cli-test-helpers.js";
import { resolveDefaultPath } from "../../src/module/default-path.js";
import { findModule } from "../../src/module/find-module.js";
import { introspectModule } from "../../src/module/introspect/introspect-module.js";
import { digestModule } from "../../src/module/module-digest.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

const tmp = tempDir("gantry-init-");
afterAll(() => tmp.cleanup());
let n = 0;

// A fresh project folder with these files.
function project(files: Record<string, string>): string {
  const dir = path.join(tmp.dir, `p${++n}`);
  writeTree(dir, files);
  return dir;
}
const init = (dir: string, args: string[] = []) =>
  runGantry(["init", ...args], { cwd: dir, stateDir: path.join(tmp.dir, "state") });
const moduleOf = (dir: string) => fs.readFileSync(path.join(dir, ".gantry/src/index.ts"), "utf8");

describe("gantry init", () => {
  it("refuses a package.json that is not JSON, naming it, and writes nothing", async () => {
    const dir = project({ "package.json": '{ "name": "bad", scripts: }' });
    const r = await init(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^Error: gantry init: .*\/package\.json is not valid JSON \(.+\); nothing was written\n/,
    );
    expect(r.stderr).toMatch(/Hint: fix package\.json/);
    expect(fs.existsSync(path.join(dir, ".gantry"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "gantry.json"))).toBe(false);
    const notObject = await init(project({ "package.json": "null" }));
    expect(notObject.code).toBe(2);
    expect(notObject.stderr).toMatch(/package\.json is not a JSON object; nothing was written/);
  });

  it("takes Dagger's --sdk=typescript as it is, and refuses another SDK by name, writing nothing", async () => {
    const dir = project({ Makefile: "test:\n\ttrue\n" });
    const py = await init(dir, ["--sdk=python"]);
    expect(py.code).toBe(2);
    expect(py.stderr).toContain("--sdk=python: Gantry modules are written in TypeScript only");
    expect(fs.existsSync(path.join(dir, "gantry.json"))).toBe(false);
    const ts = await init(dir, ["--sdk", "typescript", "--name=my-module"]);
    expect(ts.code, ts.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "gantry.json"), "utf8")).name).toBe(
      "my-module",
    );
  });

  it("reads a package.json that starts with a byte-order mark, as npm does", async () => {
    const dir = project({
      "package.json":
        "\uFEFF" + JSON.stringify({ name: "bom-app", scripts: { test: "node --test" } }),
    });
    const r = await init(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(moduleOf(dir)).toContain("export class BomApp extends NodeToolchain");
    expect(moduleOf(dir)).toContain('test: "npm test"');
  });

  it("writes a Node module that names only the scripts the project has, and lists the catalog", async () => {
    const dir = project({
      "package.json": JSON.stringify({
        name: "@acme/web-api",
        scripts: { test: "node --test", build: "tsc", migrate: "node migrate.js" },
        dependencies: { pg: "^8" },
      }),
      "pnpm-lock.yaml": "lockfileVersion: 9\n",
      Dockerfile: "FROM node:22\n",
    });
    const r = await init(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Detected: node, Dockerfile/);
    const mod = moduleOf(dir);
    expect(mod).toContain("export class AcmeWebApi extends NodeToolchain");
    expect(mod).toContain('packageManager: "pnpm"');
    // the preset's image as an argument (gantry call --image=REF ci), and a proxy's CA trusted when the host has one
    expect(mod).toMatch(/source: Directory,\n\s+image = "node:22-bookworm-slim",\n\s+\) \{/);
    expect(mod).toMatch(/^\s+image, \/\/ .*gantry call --image=REF ci$/m);
    expect(mod).toContain("const extraCa = process.env.NODE_EXTRA_CA_CERTS;");
    expect(mod).toContain("...(extraCa ? { caCerts: dag.host().file(extraCa) } : {}),");
    expect(mod).toContain('test: "pnpm test"');
    expect(mod).toContain('build: "pnpm run build"');
    expect(mod).toMatch(/lint: false, \/\/ no "lint" script in package.json/);
    expect(mod).not.toContain("pnpm run lint");
    expect(mod).toContain('db: { migrate: "pnpm run migrate" }');
    expect(mod).toContain("postgres: true");
    expect(mod).toContain('dockerfile: "Dockerfile"');
    expect(JSON.parse(fs.readFileSync(path.join(dir, "gantry.json"), "utf8"))).toEqual({
      name: "acme-web-api",
      source: ".gantry",
    });
    const fns = await runGantry(["functions"], { cwd: dir, stateDir: path.join(tmp.dir, "state") });
    expect(fns.stderr).toBe("");
    for (const f of ["setup", "format", "lint", "security", "test", "build", "db", "ci", "image"])
      expect(fns.stdout).toMatch(new RegExp(`^${f}\\s`, "m"));
  });

  it("gives a project with a Dockerfile deploy, releases and rollback over the preset's ci", async () => {
    const beside = project({
      "package.json": JSON.stringify({ name: "shop", scripts: { test: "node --test" } }),
      "package-lock.json": "{}",
      Dockerfile: "FROM node:22\n",
    });
    const alone = project({ Dockerfile: "FROM busybox\nEXPOSE 8080\n" });
    for (const dir of [beside, alone]) {
      const r = await init(dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Detected: (node, )?Dockerfile$/m);
      expect(r.stdout).toContain("gantry call deploy --port=8080 --health=/");
      const mod = moduleOf(dir);
      expect(mod).toMatch(/async deploy\(\n\s+target = "docker",/);
      expect(mod).toContain("source: this.source,");
      expect(mod).toContain("formatReleases(await releases(");
      expect(mod).toContain("await rollback({ app, to, target:");
      // the preset's own ci records its pass for deploy (test/integration/toolchain-ci-gate.test.ts)
      expect(mod).not.toContain("async ci(");
      const fns = await runGantry(["functions"], {
        cwd: dir,
        stateDir: path.join(tmp.dir, "state"),
      });
      expect(fns.stderr).toBe("");
      for (const f of ["ci", "image", "deploy", "releases", "rollback"])
        expect(fns.stdout).toMatch(new RegExp(`^${f}\\s`, "m"));
    }
    expect(moduleOf(beside)).toContain("extends NodeToolchain");
    expect(moduleOf(alone)).toContain("extends Toolchain");
    expect(moduleOf(alone)).toContain('app = "p');
    // Without a Dockerfile there is nothing to deploy.
    const plain = project({ "go.mod": "module svc\n" });
    expect((await init(plain)).code).toBe(0);
    expect(moduleOf(plain)).not.toContain("deploy");
  });

  it("uses the lint script when there is one", async () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "x", scripts: { lint: "eslint .", test: "vitest" } }),
      "package-lock.json": "{}",
    });
    expect((await init(dir)).code).toBe(0);
    expect(moduleOf(dir)).toContain('lint: "npm run lint"');
  });

  it("detects Django, Go with a Makefile, Bun, and Elixir with Ecto", async () => {
    const django = project({ "manage.py": "", "requirements.txt": "Django==4.2\npsycopg2\n" });
    expect((await init(django)).code).toBe(0);
    expect(moduleOf(django)).toContain("extends PythonToolchain");
    expect(moduleOf(django)).toContain("manage.py test");
    expect(moduleOf(django)).toContain('db: { migrate: "python3 manage.py migrate --noinput" }');

    const goDir = project({
      "go.mod": "module example.com/acme/svc\n\ngo 1.22\n",
      Makefile: "test:\n\tgo test ./...\nlint:\n\tgo vet\n",
    });
    expect((await init(goDir)).code).toBe(0);
    expect(moduleOf(goDir)).toContain("export class Svc extends GoToolchain");
    expect(moduleOf(goDir)).toContain("// the Makefile has: test, lint");

    const bunDir = project({
      "package.json": '{"name":"cli"}',
      "bun.lock": "{}",
      justfile: "test:\n  bun test\n",
    });
    expect((await init(bunDir)).code).toBe(0);
    expect(moduleOf(bunDir)).toContain("extends BunToolchain");
    expect(moduleOf(bunDir)).toContain('test: "bun test"');
    expect(moduleOf(bunDir)).toContain("// the justfile has: test");

    const ex = project({
      "mix.exs": 'defp deps do [{:ecto_sql, "~> 3.0"}, {:postgrex, ">= 0.0.0"}] end\n  app: :shop,',
    });
    expect((await init(ex)).code).toBe(0);
    expect(moduleOf(ex)).toContain("export class Shop extends ElixirToolchain");
    expect(moduleOf(ex)).toContain("postgres: true");
    for (const d of [django, goDir, bunDir, ex]) {
      const fns = await runGantry(["functions"], { cwd: d, stateDir: path.join(tmp.dir, "state") });
      expect(fns.stderr).toBe("");
      expect(fns.stdout).toMatch(/^ci\s/m);
    }
  });

  it("compiles a TypeScript project in setup and names its rollback script", async () => {
    const dir = project({
      "package.json": JSON.stringify({
        name: "ts-api",
        scripts: {
          build: "tsc",
          migrate: "node dist/m.js up",
          "migrate:down": "node dist/m.js down",
        },
      }),
      "package-lock.json": "{}",
      "tsconfig.json": "{}",
    });
    expect((await init(dir)).code).toBe(0);
    const mod = moduleOf(dir);
    expect(mod).toContain('compile: "npm run build"');
    expect(mod).toContain('rollback: "npm run migrate:down -- {step}"');
  });

  it("writes only the Python tools a project declares, saying why a task is off", async () => {
    const flask = project({
      "requirements.txt": "flask==3.0.0\npytest==8.0.0\n",
      "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
    });
    expect((await init(flask)).code).toBe(0);
    const mod = moduleOf(flask);
    expect(mod).toMatch(/format: false, \/\/ no Black, Ruff or isort in requirements/);
    expect(mod).toMatch(/lint: false, \/\/ no Flake8 or Ruff in requirements/);
    expect(mod).toContain('test: "python3 -m pytest --junitxml=junit.xml",');
    expect(mod).not.toContain("coverage run");

    const ruff = project({
      "pyproject.toml": '[project]\nname = "x"\n[tool.ruff]\nline-length = 100\n',
      "requirements-dev.txt": "ruff>=0.4\ncoverage[toml]>=7\n",
    });
    expect((await init(ruff)).code).toBe(0);
    expect(moduleOf(ruff)).toContain('format: "ruff format --check .",');
    expect(moduleOf(ruff)).toContain('lint: "ruff check .",');
    // --args reach the runner, not the report after it; written as a person would quote it
    expect(moduleOf(ruff)).toContain(
      `test: 'python3 -m coverage run -m unittest discover "$@" && python3 -m coverage report && python3 -m coverage xml -o coverage.xml',`,
    );
  });

  it("takes an Elixir project's db commands from its db.* mix aliases", async () => {
    const dir = project({
      "mix.exs": [
        "defmodule Shop.MixProject do",
        "  def project, do: [app: :shop, aliases: aliases()]",
        '  defp aliases, do: ["db.migrate": ["cmd sh m.sh up"], "db.rollback": ["cmd sh m.sh down"]]',
        "end",
      ].join("\n"),
    });
    expect((await init(dir)).code).toBe(0);
    expect(moduleOf(dir)).toContain(
      'db: { migrate: "mix db.migrate", rollback: "mix db.rollback {step}" }, // the mix aliases',
    );
  });

  it("adds a function for each further stack", async () => {
    const dir = project({ "go.mod": "module svc\n", "package.json": '{"name":"svc"}' });
    expect((await init(dir)).code).toBe(0);
    expect(moduleOf(dir)).toContain("extends GoToolchain");
    expect(moduleOf(dir)).toMatch(
      /node\(\): NodeToolchain \{\n\s+return new NodeToolchain\(this\.source/,
    );
  });

  it("never overwrites a module without --force", async () => {
    const dir = project({ "go.mod": "module svc\n" });
    expect((await init(dir)).code).toBe(0);
    fs.writeFileSync(path.join(dir, ".gantry/src/index.ts"), "// mine\n");
    const again = await init(dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /\.gantry\/src\/index\.ts and gantry\.json already exist; nothing was written/,
    );
    expect(again.stderr).toMatch(/gantry init --force/);
    expect(moduleOf(dir)).toBe("// mine\n");
    expect((await init(dir, ["--force"])).code).toBe(0);
    expect(moduleOf(dir)).toContain("extends GoToolchain");
  });

  it("gives an unrecognised project a clear message and a minimal module that loads", async () => {
    const dir = project({ "README.md": "hello" });
    const r = await init(dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no known project files in \. \(looked for/);
    expect(r.stderr).toMatch(/Wrote a minimal module with a generic toolchain/);
    expect(moduleOf(dir)).toContain("extends Toolchain");
    // as the presets' modules: another image by flag, and a proxy's CA trusted by its tasks
    expect(moduleOf(dir)).toContain('image = "debian:bookworm-slim",');
    expect(moduleOf(dir)).toContain("...(extraCa ? { caCerts: dag.host().file(extraCa) } : {}),");
    const fns = await runGantry(["functions"], { cwd: dir, stateDir: path.join(tmp.dir, "state") });
    expect(fns.stderr).toBe("");
    expect(fns.stdout).toMatch(/^test\s/m);
    const help = await runGantry(["call", "--image=debian:trixie", "test", "--help"], {
      cwd: dir,
      stateDir: path.join(tmp.dir, "state"),
    });
    expect(help.code, help.stderr).toBe(0);
  });

  it("runs a Makefile-only project's recipes, saying it found the Makefile (not that it found nothing)", async () => {
    const dir = project({
      Makefile: "build:\n\tcc -o app app.c\ntest:\n\t./app --test\nlint:\n\tcppcheck .\n",
    });
    const r = await init(dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Detected: Makefile\n");
    expect(r.stdout).toContain("The checks run the Makefile's recipes with a generic toolchain");
    expect(moduleOf(dir)).toContain('image = "buildpack-deps:bookworm",');
    expect(moduleOf(dir)).toContain('test: "make test",');
  });

  it("names the files it writes as a person would type them from the current folder", async () => {
    const top = project({ "sub/app/go.mod": "module app\n", "elsewhere/.keep": "" });
    const state = path.join(tmp.dir, "state");
    const below = await runGantry(["init", "sub/app"], { cwd: top, stateDir: state });
    expect(below.code, below.stderr).toBe(0);
    expect(below.stdout).toContain("Wrote sub/app/.gantry/src/index.ts and sub/app/gantry.json.");
    expect(below.stdout).toContain("Next (in sub/app): gantry functions");
    // a project outside the current folder: its absolute path, not a climb of ../../
    const app = path.join(top, "sub/app");
    const outside = await runGantry(["init", app, "--force"], {
      cwd: path.join(top, "elsewhere"),
      stateDir: state,
    });
    expect(outside.code, outside.stderr).toBe(0);
    expect(outside.stdout).toContain(`Wrote ${app}/.gantry/src/index.ts and ${app}/gantry.json.`);
    expect(outside.stdout).toContain(`Next (in ${app}):`);
    expect(outside.stdout).not.toContain("..");
    // in the project itself: plain relative names, no folder to name
    const here = await runGantry(["init", "--force"], { cwd: app, stateDir: state });
    expect(here.stdout).toContain("Wrote .gantry/src/index.ts and gantry.json.\nNext: gantry");
  });

  it("points the module's source at the project, also in a sub-folder of a git repository", async () => {
    // "/" would be the repository's root there (Dagger's context): the whole monorepo as the service's source
    const repo = project({
      ".git/HEAD": "ref: refs/heads/main\n",
      "svc/go.mod": "module svc\n",
      "other/x.go": "",
    });
    const svc = path.join(repo, "svc");
    const r = await init(svc);
    expect(r.code, r.stderr).toBe(0);
    const mod = findModule({ cwd: svc });
    const sig = await introspectModule(mod, digestModule(mod).files);
    const source = sig.objects
      .find((o) => o.name === sig.mainObject)
      ?.constructorParams.find((p) => p.name === "source");
    expect(source?.defaultPath).toBe(".");
    expect(resolveDefaultPath(mod, source!.defaultPath!)).toBe(svc);
    const help = await runGantry(["call", "ci", "--help"], {
      cwd: svc,
      stateDir: path.join(tmp.dir, "state"),
    });
    expect(help.stdout).toMatch(/--source Directory .*default: the module's folder/);
  });
});
