// Dagger's CLI and type details through `gantry call` on the host runtime: rest parameters as list flags,
// exported type/interface results chained into, and engineVersion-dependent semantics.
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyFixture, tempDir } from "./module-test-helpers.js";
import { runGantry } from "./cli-test-helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const call = (fixture: string, args: string[]) =>
  runGantry(["call", "--runtime=host", "--progress=plain", ...args], {
    cwd: copyFixture(fixture, dir),
    stateDir: path.join(dir, "state"),
  });

describe("rest parameters", () => {
  it("are list flags, repeated or comma-separated, spread into the call", async () => {
    expect((await call("dagger-types", ["join", "--words=a", "--words=b"])).stdout).toBe("a b\n");
    expect((await call("dagger-types", ["join", "--words=x,y,z"])).stdout).toBe("x y z\n");
    expect((await call("dagger-types", ["join"])).code).toBe(0);
    const r = await call("dagger-types", ["prefix", "--prefix=-", "--words=a,b"]);
    expect(r.stdout).toBe("-a\n-b\n");
  });

  it("are listed as list flags in help", async () => {
    const r = await call("dagger-types", ["join", "--help"]);
    expect(r.stdout).toMatch(/--words\s+string\[\]/);
  });
});

describe("exported type and interface results", () => {
  it("chain into a field of each item of a list", async () => {
    const r = await call("dagger-types", ["members", "url"]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout).toBe("https://example.com/ada\nhttps://example.com/bob\n");
  });

  it("chain through an interface into a nested list", async () => {
    expect((await call("dagger-types", ["team", "name"])).stdout).toBe("core\n");
    expect((await call("dagger-types", ["team", "members", "name"])).stdout).toBe("ada\nbob\n");
  });
});

describe("engineVersion semantics", () => {
  it("v0.17 and later list directories with a trailing slash; older modules without", async () => {
    expect((await call("dagger-types", ["tree", "entries"])).stdout).toBe("a.txt\nsub/\n");
    expect((await call("dagger-old-engine", ["tree", "entries"])).stdout).toBe("a.txt\nsub\n");
  });

  it("before v0.12 withExec runs the image's entrypoint unless skipEntrypoint", async () => {
    expect((await call("dagger-old-engine", ["greet"])).stdout).toBe("entry arg\n");
    expect((await call("dagger-old-engine", ["skip"])).stdout).toBe("plain\n");
  });
});
