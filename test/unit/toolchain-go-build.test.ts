// The Go preset's build on a library (no main package, like spf13/pflag or google/uuid): `go build -o DIR ./...`
// refuses it ("no main packages to build"), so the line compiles every package and builds no binary; a module with
// a main package still gets a binary per platform. Runs the real `go` (the host's) on small modules.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { goBuildCommand } from "../../src/toolchains/go/go-toolchain.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

const tmp = tempDir("gantry-go-build-");
afterAll(() => tmp.cleanup());
const hasGo = spawnSync("go", ["version"]).status === 0;
const env = { ...process.env, GOFLAGS: "-buildvcs=false" };

// Build the module in `files` with the preset's line; its exit status, output and dist/ listing.
function build(name: string, files: Record<string, string>) {
  const dir = path.join(tmp.dir, name);
  writeTree(dir, files);
  const r = spawnSync("sh", ["-c", goBuildCommand(["linux/amd64"])], { cwd: dir, env });
  const dist = path.join(dir, "dist");
  const out = fs.existsSync(dist)
    ? execFileSync("find", [dist, "-type", "f"], { encoding: "utf8" })
    : "";
  return { status: r.status, output: `${r.stdout}${r.stderr}`, files: out.trim() };
}

describe.skipIf(!hasGo)("go build for each platform", () => {
  it("compiles a library and says there is no binary, instead of failing", () => {
    const lib = build("lib", {
      "go.mod": "module example.com/lib\n\ngo 1.19\n",
      "lib.go": "package lib\n\n// Two is 2.\nfunc Two() int { return 2 }\n",
    });
    expect(lib.output).toContain("no main package (a library)");
    expect(lib.status).toBe(0);
    expect(lib.files).toBe("");
  });

  it("still fails a library that does not compile", () => {
    const bad = build("bad", {
      "go.mod": "module example.com/bad\n\ngo 1.19\n",
      "bad.go": "package bad\n\nfunc Two() int { return }\n",
    });
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/not enough return values|missing return/);
  });

  it("builds a binary for a main package", () => {
    const app = build("app", {
      "go.mod": "module example.com/app\n\ngo 1.19\n",
      "main.go": 'package main\n\nfunc main() { println("hi") }\n',
    });
    expect(app.status, app.output).toBe(0);
    expect(app.files).toMatch(/dist\/linux-amd64\/app$/);
  });
});
