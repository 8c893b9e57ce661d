// A Dagger module that mounts its source and builds into it, run through the CLI as a Dagger user would.
import { afterAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { copyFixture, tempDir } from "../unit/module-test-helpers.js";
import { runGantry } from "../unit/cli-test-helpers.js";

const { dir, cleanup } = tempDir();
const mod = copyFixture("dagger-mounts", dir);
afterAll(() => cleanup());

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
});
