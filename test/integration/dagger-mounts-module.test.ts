// A Dagger module that mounts its source and builds into it, run through the CLI as a Dagger user would.
import { afterAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { copyFixture, tempDir } from "../unit/module-test-helpers.js";
import { runGantry } from "../unit/cli-test-helpers.js";
import { docker } from "../helpers/test-session.js";

const { dir, cleanup } = tempDir();
const mod = copyFixture("dagger-mounts", dir);
// Cache volumes new to this run, so that `owner` meets a cache being made (docker's are named volumes of the engine).
const cache = `mounts-owner-${process.pid}-${Date.now()}`;
afterAll(() => {
  cleanup();
  const volumes = ["docker", "host"].flatMap((r) =>
    ["seeded", "empty"].map((v) => `gantry-cache-${cache}-${r}-${v}`),
  );
  docker(["volume", "rm", "-f", ...volumes]);
});

const call = (runtime: string, args: string[]) =>
  runGantry(["call", `--runtime=${runtime}`, "--progress=plain", ...args], {
    cwd: mod,
    stateDir: path.join(dir, `state-${runtime}`),
  });

describe.each(["docker", "host"])("a module with mounts (%s)", (runtime) => {
  it("lists a mounted directory through the chain (the cookbook example)", async () => {
    const r = await call(runtime, [
      "mount-directory",
      "--source=app",
      "directory",
      "--path=/src",
      "entries",
    ]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout).toBe("a.ts\nb.ts\n");
    expect(r.code).toBe(0);
  });

  it("exports what `build` wrote into its mounted source", async () => {
    const out = path.join(dir, `dist-${runtime}`);
    const r = await call(runtime, ["dist", "--source=app", "export", `--path=${out}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, "bundle.js"), "utf8")).toBe(
      "export const a = 1;\nexport const b = 2;\n",
    );
    const listed = await call(runtime, [
      "build",
      "--source=app",
      "directory",
      "--path=dist",
      "entries",
    ]);
    expect(listed.stdout).toBe("bundle.js\n");
    // The source on the host is untouched: a mount's output lives in the engine, not in the project.
    expect(fs.readdirSync(path.join(mod, "app")).sort()).toEqual(["a.ts", "b.ts"]);
  });

  it("gives a mounted directory, file and new cache (root and seed) to their owner; a made cache keeps its owners", async () => {
    const r = await call(runtime, ["owners", `--cache=${cache}-${runtime}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        "/m 65534:65534",
        "/m/a.txt 65534:65534",
        "/ro/a.txt 1000:1000",
        "/f.txt 1000:1001",
        "/seeded 65534:65534",
        "/seeded/seed.txt 65534:65534",
        "/empty 1000:1000",
        "",
      ].join("\n"),
    );
    // Decision (docs/dagger-compat.md): owner applies when the cache is made; an existing one is not re-chowned.
    const later = await call(runtime, ["owner-later", `--cache=${cache}-${runtime}`]);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toBe("/seeded 65534:65534\n/seeded/seed.txt 65534:65534\n");
  });

  it("leaves out what .gitignore files ignore on filter and on both withDirectory calls", async () => {
    const r = await call(runtime, ["gitignored"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "src src/a.ts",
      "x x/.gitignore x/src x/src/.gitignore x/src/a.ts",
      ". ./.gitignore ./src ./src/.gitignore ./src/a.ts",
      "",
    ]);
    const site = path.join(mod, "site");
    fs.mkdirSync(path.join(site, "dist"), { recursive: true });
    fs.writeFileSync(path.join(site, ".gitignore"), "dist/\n");
    fs.writeFileSync(path.join(site, "index.html"), "<p>hi</p>");
    fs.writeFileSync(path.join(site, "dist/app.js"), "built");
    const tracked = await call(runtime, ["tracked", "--source=site"]);
    expect(tracked.code, tracked.stderr).toBe(0);
    expect(tracked.stdout).toBe(".gitignore\nindex.html\n");
  });
});
