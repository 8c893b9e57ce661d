// A new user's mistakes, through the real CLI: each gets a message naming the input and what to do, a non-zero
// exit, no stack trace, no "bug in Gantry", no hang, and nothing half-written.
import { execFileSync } from "node:child_process";
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeStateDir, runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");

const MODULE = `
import { dag, Container, Directory, File, Secret, object, func, argument } from "@dagger.io/dagger";

const IMAGE = "gantry-test/busybox:latest";

@object()
export class Mistakes {
  @func()
  dir(): Directory {
    return dag.directory().withNewFile("a.txt", "a\\n").withNewFile("sub/b.txt", "b\\n");
  }

  @func()
  file(): File {
    return dag.directory().withNewFile("f.txt", "f\\n").file("f.txt");
  }

  @func()
  ctr(): Container {
    return dag.container().from(IMAGE);
  }

  @func()
  linked(): Directory {
    return dag
      .container()
      .from(IMAGE)
      .withExec(["sh", "-c", "mkdir /o && echo x > /o/t && ln -s t /o/l"])
      .directory("/o");
  }

  /** Exports from the SDK, not the CLI chain. */
  @func()
  async sdkExport(kind: string, dest: string): Promise<string> {
    if (kind === "file") return this.file().export(dest);
    if (kind === "dir") return this.dir().export(dest);
    return this.ctr().export(dest);
  }

  @func()
  async secretLen(token: Secret): Promise<number> {
    return (await token.plaintext()).length;
  }

  @func()
  async count(@argument({ ignore: ["[", "{a,b", "node_modules"] }) source: Directory): Promise<number> {
    return (await source.entries()).length;
  }

  @func()
  async hostCount(): Promise<number> {
    return (await dag.host().directory(".", { exclude: ["{a,b"] }).entries()).length;
  }

  @func()
  async boom(): Promise<string> {
    const x: any = undefined;
    return x.foo.bar;
  }
}
`;

// The line of the module that throws, counted in the text written to index.ts.
const BOOM_LINE = MODULE.split("\n").findIndex((l) => l.includes("x.foo.bar")) + 1;

let work: string;
let state: string;
let mod: string;

// Run gantry in the module folder; `timeoutMs` kills a hang so the test fails instead of waiting forever.
function gantry(args: string[], timeoutMs = 120_000, cwd = mod) {
  return runCommand("node", [BIN, ...args], { env: { GANTRY_STATE_DIR: state }, cwd, timeoutMs });
}

// What every user mistake must look like: our message, our exit code, no stack, no plea to report a bug.
function expectUserError(r: { status: number | null; stderr: string }, status = 1): void {
  expect(r.stderr).not.toContain("bug in Gantry");
  expect(r.stderr).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  expect(r.stderr).toMatch(/^Error: /m);
  expect(r.status).toBe(status);
}

// Files an export left beside its destination (temporary files must never stay).
async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.includes(".gantry"));
}

// Root can mount a small tmpfs (read-only or full) to get real EROFS and ENOSPC; others skip those two.
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    const probe = execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim();
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]);
    execFileSync("umount", [probe]);
    return true;
  } catch {
    return false;
  }
}
const MOUNTABLE = canMount();

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "gantry-mistakes-"));
  state = await makeStateDir();
  mod = path.join(work, "proj");
  await mkdir(path.join(mod, ".gantry/src"), { recursive: true });
  await writeFile(path.join(mod, "gantry.json"), '{ "name": "mistakes", "source": ".gantry" }');
  await writeFile(path.join(mod, ".gantry/src/index.ts"), MODULE);
  await writeFile(path.join(work, "afile"), "mine\n");
  await mkdir(path.join(work, "adir/keep"), { recursive: true });
  await writeFile(path.join(work, "adir/keep/x"), "x");
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(state, { recursive: true, force: true });
});

describe("export --path to a place that cannot take it", () => {
  it("a directory onto an existing file: named, the file untouched", async () => {
    const r = await gantry(["call", "dir", "export", `--path=${work}/afile`]);
    expectUserError(r);
    expect(r.stderr).toContain(
      `cannot export a directory to ${work}/afile: a file is already there`,
    );
    expect(r.stderr).toContain("Hint: choose another export path, or remove the file first");
    expect(await readFile(path.join(work, "afile"), "utf8")).toBe("mine\n");
  });

  it("a directory, a file or a container under a file", async () => {
    for (const fn of ["dir", "file", "ctr"]) {
      const r = await gantry(["call", fn, "export", `--path=${work}/afile/under`]);
      expectUserError(r);
      expect(r.stderr, fn).toContain(
        `cannot export to ${work}/afile/under: ${work}/afile is a file, not a directory`,
      );
    }
    expect(await readFile(path.join(work, "afile"), "utf8")).toBe("mine\n");
  });

  it("a file or a container onto an existing directory: nothing left behind", async () => {
    for (const fn of ["file", "ctr"]) {
      const r = await gantry(["call", fn, "export", `--path=${work}/adir`]);
      expectUserError(r);
      expect(r.stderr, fn).toContain(
        `cannot export a file to ${work}/adir: a directory is already there`,
      );
      expect(r.stderr).toContain(`give the file's own path (e.g. ${work}/adir/NAME)`);
    }
    expect(await leftovers(work)).toEqual([]);
    expect(await readdir(path.join(work, "adir"))).toEqual(["keep"]);
  });

  it("the same mistakes made by Container/File/Directory.export in a function", async () => {
    for (const [kind, dest, text] of [
      ["file", "adir", "a directory is already there"],
      ["dir", "afile", "a file is already there"],
      ["ctr", "afile/x.tar", `${work}/afile is a file, not a directory`],
    ] as const) {
      const r = await gantry(["call", "sdk-export", `--kind=${kind}`, `--dest=${work}/${dest}`]);
      expectUserError(r);
      expect(r.stderr, kind).toContain(text);
    }
    expect(await leftovers(work)).toEqual([]);
  });

  it("a directory merging into one where a file stands for its directory: refused before writing", async () => {
    const dest = path.join(work, "clash");
    await mkdir(dest);
    await writeFile(path.join(dest, "sub"), "a file where the export has a directory");
    const r = await gantry(["call", "dir", "export", `--path=${dest}`]);
    expectUserError(r);
    expect(r.stderr).toContain(
      `cannot export a directory to ${dest}: sub is a file there and a directory in the export`,
    );
    expect(await readdir(dest)).toEqual(["sub"]); // a.txt was not written first
  });

  it("a place without permission (sysfs refuses even root)", async () => {
    for (const fn of ["dir", "file", "ctr"]) {
      const r = await gantry(["call", fn, "export", "--path=/sys/gantry-no-such-export"]);
      expectUserError(r);
      expect(r.stderr, fn).toContain(
        "cannot export to /sys/gantry-no-such-export: no permission to write the destination",
      );
    }
  });

  it("under /proc fails at once instead of spinning forever", { timeout: 90_000 }, async () => {
    for (const fn of ["dir", "file", "ctr"]) {
      const r = await gantry(["call", fn, "export", "--path=/proc/nope"], 25_000);
      expectUserError(r);
      expect(r.stderr, fn).toContain(
        "cannot export to /proc/nope: the file system at /proc does not allow creating nope",
      );
    }
  });

  it.runIf(MOUNTABLE)("a read-only file system", async () => {
    const ro = path.join(work, "ro");
    await mkdir(ro);
    execFileSync("mount", ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", ro]);
    try {
      for (const fn of ["dir", "file", "ctr"]) {
        const r = await gantry(["call", fn, "export", `--path=${ro}/out`]);
        expectUserError(r);
        expect(r.stderr, fn).toMatch(
          new RegExp(`cannot export to ${ro}/out: .* is on a read-only file system`),
        );
      }
    } finally {
      execFileSync("umount", [ro]);
    }
  });

  it.runIf(MOUNTABLE)("a file system that fills up: no crash, no partial tarball", async () => {
    const small = path.join(work, "small");
    await mkdir(small);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", small]);
    try {
      const r = await gantry(["call", "ctr", "export", `--path=${small}/image.tar`]);
      expectUserError(r);
      expect(r.stderr).toContain(
        `cannot export to ${small}/image.tar: no space left on the file system of the destination`,
      );
      expect(await readdir(small)).toEqual([]);
    } finally {
      execFileSync("umount", [small]);
    }
  });

  it("exporting the same directory twice replaces its files and symlinks", async () => {
    const dest = path.join(work, "twice");
    await mkdir(dest);
    await symlink(path.join(work, "afile"), path.join(dest, "t")); // a link where the export has a file
    await writeFile(path.join(dest, "mine"), "stays");
    for (let i = 0; i < 2; i++) {
      const r = await gantry(["call", "linked", "export", `--path=${dest}`]);
      expect(r.stderr).not.toContain("bug in Gantry");
      expect(r.status).toBe(0);
    }
    expect(await readFile(path.join(dest, "t"), "utf8")).toBe("x\n");
    expect(await readFile(path.join(work, "afile"), "utf8")).toBe("mine\n"); // not written through the link
    expect(await readlink(path.join(dest, "l"))).toBe("t");
    expect((await readdir(dest)).sort()).toEqual(["l", "mine", "t"]);
  });
});

describe("flags a new user gets wrong", () => {
  it("--token=file:DIR says it is a directory", async () => {
    const r = await gantry(["call", "secret-len", `--token=file:${work}/adir`]);
    expectUserError(r, 2);
    expect(r.stderr).toContain(`--token: ${work}/adir is a directory`);
    expect(r.stderr).not.toContain("does not exist");
  });

  it("--source= (empty) is an error naming the flag, not the current directory", async () => {
    const r = await gantry(["call", "count", "--source="]);
    expectUserError(r, 2);
    expect(r.stderr).toContain(
      "--source is empty: give a directory path (--source=. for the current directory)",
    );
    expect(r.stdout).toBe("");
  });
});

// A module of one file under `work/<folder>`: gantry.json naming it, its source in .gantry/src/index.ts.
async function writeModule(folder: string, name: string, source: string): Promise<string> {
  const dir = path.join(work, folder);
  await mkdir(path.join(dir, ".gantry/src"), { recursive: true });
  await writeFile(path.join(dir, "gantry.json"), JSON.stringify({ name, source: ".gantry" }));
  await writeFile(path.join(dir, ".gantry/src/index.ts"), source);
  return dir;
}

describe("mistakes in the module's code", () => {
  it("a TypeError in a function shows the module's file:line", async () => {
    const r = await gantry(["call", "boom"]);
    expectUserError(r);
    expect(r.stderr).toContain(
      "function boom failed: TypeError: Cannot read properties of undefined (reading 'foo')\n" +
        `  at .gantry/src/index.ts:${BOOM_LINE}:14\n`,
    );
  });

  it("a package that is not installed is named with the command that installs it", async () => {
    const dir = await writeModule(
      "needs-pkg",
      "needs",
      'import { object, func } from "@dagger.io/dagger";\nimport pad from "gantry-no-such-package";\n' +
        "@object()\nexport class Needs {\n  @func()\n  go(): string {\n    return String(pad);\n  }\n}\n",
    );
    const r = await gantry(["call", "go"], 120_000, dir);
    expectUserError(r);
    expect(r.stderr).toContain(
      '.gantry/src/index.ts:2:17: package "gantry-no-such-package" (imported as "gantry-no-such-package") is not installed',
    );
    expect(r.stderr).toContain("install it, e.g. `npm install gantry-no-such-package`");
    expect(r.stderr).not.toContain("top-level code");
  });

  it("a module that does not bundle: an unknown function, a bad flag and --help still come first", async () => {
    // the bundle starts before the signature is read (performance.md Decision 16); its failure waits its turn
    const dir = await writeModule(
      "bundles-late",
      "late",
      'import { object, func } from "@dagger.io/dagger";\nimport { gone } from "./missing.js";\n' +
        "@object()\nexport class Late {\n  @func()\n  go(): string {\n    return String(gone);\n  }\n}\n",
    );
    const unknown = await gantry(["call", "nope"], 120_000, dir);
    expectUserError(unknown, 2);
    expect(unknown.stderr).toMatch(/nope/);
    expect(unknown.stderr).not.toContain("does not compile");
    const flag = await gantry(["call", "go", "--no-such-flag"], 120_000, dir);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("--no-such-flag");
    expect(flag.stderr).not.toContain("does not compile");
    const help = await gantry(["call", "go", "--help"], 120_000, dir);
    expect(help.status).toBe(0);
    expect(help.stderr).not.toContain("does not compile");
    const run = await gantry(["call", "go"], 120_000, dir);
    expectUserError(run);
    expect(run.stderr).toContain("the module late does not compile");
    expect(run.stderr).toContain("missing.js");
  });

  it("a Dagger method Gantry lacks, reached by a computed name, names the module's line (dist/ is bundled)", async () => {
    const dir = await writeModule(
      "computed-unsupported",
      "computed",
      'import { dag, object, func } from "@dagger.io/dagger";\n' +
        "@object()\nexport class Computed {\n  @func()\n  go(): unknown {\n" +
        "    const ctr = dag.container() as unknown as Record<string, (p: string) => unknown>;\n" +
        '    return ctr["withUnix" + "Socket"]("/x");\n  }\n}\n',
    );
    const r = await gantry(["call", "go"], 120_000, dir);
    expectUserError(r);
    // the first frame outside Gantry's code: its SDK lives in dist/sdk/ and dist/chunks/ once bundled
    expect(r.stderr).toContain(
      "Container.withUnixSocket() is part of Dagger's core API but not available in Gantry yet (called at .gantry/src/index.ts:7:",
    );
  });

  it("a parameter typed as an object literal is refused by `gantry functions`", async () => {
    const dir = await writeModule(
      "literal",
      "literal",
      'import { object, func } from "@dagger.io/dagger";\n@object()\nexport class Literal {\n' +
        "  @func()\n  run(opts: { a: string }): string {\n    return opts.a;\n  }\n}\n",
    );
    for (const args of [["functions"], ["call", "run", "--opts=x"]]) {
      const r = await gantry(args, 120_000, dir);
      expectUserError(r);
      expect(r.stderr).toContain(
        "Error: .gantry/src/index.ts:5:13: parameter opts of Literal.run has an object literal type ({ a: string })",
      );
      expect(r.stderr).toContain("Hint: give it one of the supported types (string, number");
    }
  });
});

describe("ignore patterns that cannot match", () => {
  it("warn in the run's output, naming the pattern, and the run goes on", async () => {
    const src = path.join(work, "src-tree");
    await mkdir(src);
    await writeFile(path.join(src, "a"), "a");
    const r = await gantry(["call", "count", `--source=${src}`]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("1");
    expect(r.stderr).toMatch(
      /⚠ host directory .*src-tree, exclude: ignore pattern "\[" is malformed \(an unclosed "\["\)/,
    );
    expect(r.stderr).toMatch(/⚠ .*ignore pattern "\{a,b" is malformed \(an unclosed "\{"\)/);
    const h = await gantry(["call", "host-count"]);
    expect(h.status).toBe(0);
    expect(h.stderr).toMatch(/⚠ host directory \., exclude: ignore pattern "\{a,b" is malformed/);
  });
});
