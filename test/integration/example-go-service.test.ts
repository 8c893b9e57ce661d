// examples/go-service end to end on the real engine with the Go preset: ci green with a binary per platform, a
// second ci running nothing, one changed source file re-running only what reads the source, and a broken
// test failing ci by task name with `go test`'s own output.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { copyExample } from "../helpers/example-project.mjs";

const tmp = tempDir("gantry-ex-go-");
let project: string;
let stateDir: string;

beforeAll(() => {
  ({ project, stateDir } = copyExample("go-service", tmp.dir));
});
afterAll(() => tmp.cleanup());

const gantry = (args: string[]) =>
  runGantry(["--progress=plain", ...args], { cwd: project, stateDir });

/** Exec steps that really ran (not from cache) in plain progress output. */
const ran = (stderr: string) => stderr.split("\n").filter((l) => /✔ withExec/.test(l));

/** The ELF machine field of a binary: 0x3e x86-64, 0xb7 aarch64. */
const elfMachine = (file: string) => {
  const b = fs.readFileSync(file);
  expect(b.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
  return b.readUInt16LE(18);
};

describe("examples/go-service", () => {
  it("runs ci green with a binary for each platform, then a second ci runs no exec", async () => {
    const first = await gantry(["call", "ci", "--export=../ci-out"]);
    expect(first.stderr).not.toMatch(/^Error/m);
    expect(first.code).toBe(0);
    for (const task of ["setup", "format", "lint", "test", "build", "export"])
      expect(first.stdout).toMatch(new RegExp(`^${task}\\s+passed`, "m"));
    // govulncheck is not in the image: said plainly, never a pass
    expect(first.stdout).toMatch(/^security\s+not checked/m);
    expect(first.stdout).toContain("govulncheck ./...) is not installed");
    expect(first.stderr).toMatch(/coverage: [\d.]+% of statements/);
    const out = path.join(tmp.dir, "ci-out");
    expect(elfMachine(path.join(out, "build/linux-amd64/go-service"))).toBe(0x3e);
    expect(elfMachine(path.join(out, "build/linux-arm64/go-service"))).toBe(0xb7);
    // Go's own profile: the handlers' blocks were covered (count 1), main's not (count 0)
    const coverage = fs.readFileSync(path.join(out, "reports/coverage.out"), "utf8");
    expect(coverage).toMatch(/^mode: set\n/);
    expect(coverage).toMatch(/^example\.com\/go-service\/handler\.go:[\d.,]+ \d+ 1$/m);
    expect(coverage).toMatch(/^example\.com\/go-service\/main\.go:[\d.,]+ \d+ 0$/m);

    const second = await gantry(["call", "ci"]);
    expect(second.code).toBe(0);
    // everything came from cache, the missing govulncheck's "not checked" too (docs/toolchains.md)
    expect(ran(second.stderr)).toEqual([]);
    expect(second.stdout).toMatch(/^security\s+not checked/m);
    expect(second.stderr).toMatch(/● withExec sh -c "go test/);
  });

  it("re-runs only the steps that read a changed source file", async () => {
    const file = path.join(project, "main.go");
    const good = fs.readFileSync(file, "utf8");
    fs.writeFileSync(
      file,
      good.replace("func main() {", "// main starts the server.\nfunc main() {"),
    );
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.stderr).not.toMatch(/^Error/m);
      expect(r.code).toBe(0);
      const execs = ran(r.stderr).join("\n");
      // the module download reads go.mod only: still cached
      expect(r.stderr).toMatch(/● withExec sh -c "go mod download"/);
      expect(execs).not.toMatch(/go mod download/);
      for (const cmd of ["gofmt -l", "go vet", "go test", "for p in linux/amd64 linux/arm64"])
        expect(execs).toContain(cmd);
    } finally {
      fs.writeFileSync(file, good);
    }
  });

  it("fails a broken test naming the task and showing go test's own output", async () => {
    const file = path.join(project, "handler.go");
    const good = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, good.replace('return "hello, " + name', 'return "hi, " + name'));
    try {
      const r = await gantry(["call", "ci"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ci failed: test failed/);
      expect(r.stderr).toMatch(/^test\s+failed/m);
      expect(r.stderr).toMatch(/task test failed: `go test -coverprofile=coverage.out/);
      expect(r.stderr).toContain('Greeting("") = "hi, world"');
      expect(r.stderr).toMatch(/--- FAIL: TestGreeting/);
      // the rest of the stage ran and passed; build did not start
      expect(r.stderr).toMatch(/^lint\s+passed/m);
      expect(r.stderr).not.toMatch(/withExec sh -c "for p in linux/);
    } finally {
      fs.writeFileSync(file, good);
    }
  });

  it("passes --args to go test and go vet, before the package pattern, not to go tool cover", async () => {
    const r = await gantry(["call", "test", "--args=-run=TestGreeting,-v"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("=== RUN   TestGreeting");
    expect(r.stdout).not.toContain("=== RUN   TestEndpoints");
    expect(r.stdout).toMatch(/total:\s+\(statements\)/); // go tool cover ran after it, without the arguments
    const lint = await gantry(["call", "lint", "--args=-composites=false"]);
    expect(lint.code, lint.stderr).toBe(0);
  });

  it("fails a file gofmt would change, naming format and the file", async () => {
    const file = path.join(project, "handler.go");
    const good = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, good.replace("func health(", "func   health("));
    try {
      const r = await gantry(["call", "format"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/task format failed/);
      expect(r.stderr).toMatch(/not gofmt-ed:[\s\S]*handler\.go/);
    } finally {
      fs.writeFileSync(file, good);
    }
  });
});

/** `go test` and `go tool cover -func` as reported, timings and cache notes left out. */
const goResults = (out: string) =>
  out
    .split("\n")
    .map((l) => l.replace(/^.*?│ ?/, "").trimEnd())
    .filter((l) => /^(ok|FAIL|---|example\.com\/|total:)/.test(l))
    .map((l) => l.replace(/\t[\d.]+s\b/, "").replace(/\t\(cached\)/, ""));

describe("examples/go-service on the host runtime (Debian's golang-go on the host)", () => {
  it("runs the checks and tests with the host's go, with the containers' results", async () => {
    const r = await gantry(["--runtime=host", "call", "ci", "--skip=build"]);
    expect(r.stderr).not.toMatch(/^Error/m);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/runtime: host/);
    for (const task of ["setup", "format", "lint", "test"])
      expect(r.stdout).toMatch(new RegExp(`^${task}\\s+passed`, "m"));
    const onHost = goResults((await gantry(["--runtime=host", "call", "test"])).stdout);
    const inContainer = goResults((await gantry(["call", "test"])).stdout);
    expect(onHost).toContain("ok  \texample.com/go-service\tcoverage: 70.6% of statements");
    expect(onHost.filter((l) => l.startsWith("example.com/"))).toHaveLength(6);
    expect(onHost).toEqual(inContainer);
  });
});
