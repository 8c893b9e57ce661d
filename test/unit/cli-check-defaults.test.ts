// `gantry check` runs each check with its parameters' defaults, as `gantry call` would with no flags: a defaultPath
// directory and a plain default arrive (no containers: the host runtime, no Docker needed).
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGantry } from "./cli-test-helpers.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

let dir: string;
let root: string;
let cleanup: () => void;
const check = (args: string[] = []) =>
  runGantry(["check", "--runtime=host", "--progress=plain", ...args], {
    cwd: root,
    stateDir: path.join(dir, "state"),
  });

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  root = path.join(dir, "project");
  writeTree(root, {
    "gantry.json": JSON.stringify({ name: "checked", source: ".gantry" }),
    "a.txt": "a\n",
    "b.txt": "b\n",
    ".gantry/src/index.ts": `import { argument, check, Directory, object, func } from "gantry";
@object()
export class Checked {
  /** The project's files, from the module's folder by default. */
  @func() @check()
  async files(
    @argument({ defaultPath: ".", ignore: [".gantry"] }) source: Directory,
    expected: number = 3,
  ): Promise<string> {
    const names = await source.entries();
    if (names.length !== expected) throw new Error(\`expected \${expected} entries, got \${names.join(", ")}\`);
    return "ok";
  }
  /** A plain default. */
  @func() @check()
  async greeting(word = "hello"): Promise<string> {
    if (word !== "hello") throw new Error(\`word is \${word}\`);
    return word;
  }
}
`,
  });
});
afterEach(() => cleanup());

describe("gantry check", () => {
  it("names its own flags, not only the constructor's, for an unknown one", async () => {
    const r = await check(["--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "unknown flag --bogus for gantry check: it takes PATTERN…, --skip PATTERN, --failfast, -l.",
    );
    const typo = await check(["--failfst"]);
    expect(typo.stderr).toContain("Did you mean --failfast?");
  });

  it("gives each check its parameters' defaults: a defaultPath directory and a value", async () => {
    const r = await check();
    expect(r.stderr).not.toMatch(/^Error/m);
    expect(r.stdout).toMatch(/^files\s+passed/m);
    expect(r.stdout).toMatch(/^greeting\s+passed/m);
    expect(r.code).toBe(0);
  });

  it("still fails a check whose own assertion fails, with its message", async () => {
    writeTree(root, { "c.txt": "c\n" });
    const r = await check(["files"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^files\s+failed/m);
    expect(r.stderr).toMatch(/expected 3 entries, got a\.txt, b\.txt, c\.txt, gantry\.json/);
  });

  it("evaluates a Container a check returns: its failing exec fails the check, as gantry call does", async () => {
    writeTree(root, {
      ".gantry/src/index.ts": `import { check, dag, object, func } from "gantry";
@object()
export class Checked {
  @func() @check()
  ctr() {
    return dag.container().withExec(["sh", "-c", "echo checking; exit 4"]);
  }
  @func() @check()
  fine() {
    return dag.container().withExec(["true"]);
  }
}
`,
    });
    const r = await check();
    expect(r.stdout).toMatch(/^ctr\s+failed/m);
    expect(r.stdout).toMatch(/^fine\s+passed/m);
    expect(r.stderr).toMatch(/exited with code 4/);
    expect(r.code).toBe(1);
  });

  it("suggests the check meant when a name matches none", async () => {
    const r = await check(["greting"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'no check matches "greting": the module\'s checks are files, greeting. Did you mean greeting?',
    );
  });

  it("refuses a check with a parameter that has no default, saying how to run it instead", async () => {
    writeTree(root, {
      ".gantry/src/index.ts": `import { check, object, func } from "gantry";
@object()
export class Checked {
  @func() @check()
  async needs(targetEnv: string): Promise<string> { return targetEnv; }
}
`,
    });
    const r = await check();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "check needs has a parameter --target-env (string) without a default, and a check runs with its parameters' defaults only: give it a default, or run it as `gantry call needs --target-env=VALUE`",
    );
  });

  it("refuses a check whose defaultPath is missing before the run, without suggesting a flag check does not take", async () => {
    writeTree(root, {
      ".gantry/src/index.ts": `import { argument, check, Directory, object, func, Secret } from "gantry";
@object()
export class Checked {
  @func() @check()
  async gone(@argument({ defaultPath: "./nope" }) dir: Directory): Promise<string> { return "x"; }
}
`,
    });
    const r = await check();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /check gone: --dir of gone defaults to \.\/nope \(.*\/nope\), which is not a directory: fix its defaultPath\n/,
    );
    expect(r.stderr).not.toContain("pass --dir");
  });

  it("suggests env:NAME for a secret parameter without a default", async () => {
    writeTree(root, {
      ".gantry/src/index.ts": `import { check, object, func, Secret } from "gantry";
@object()
export class Checked {
  @func() @check()
  async signed(token: Secret): Promise<string> { return "x"; }
}
`,
    });
    const r = await check();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("or run it as `gantry call signed --token=env:NAME`");
  });
});
