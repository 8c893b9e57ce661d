// The SDK facade a module's bundle imports: it names every optional part's exports, and a bundle imports a part only
// when the module uses one of its names (a fully cached call then loads no toolchain, deploy or compose code).
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bundleModule } from "../../src/module/bundle-module.js";
import { OPTIONAL_PARTS } from "../../src/module/sdk-facade.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ENTRY = path.join(ROOT, "src/index.ts");

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

// Bundle a one-file module against the real package entry; answers the bundle's import lines.
async function importsOf(source: string): Promise<string[]> {
  writeTree(dir, { "mod/index.ts": source });
  const core = await import("../../src/sdk/index.js");
  const file = await bundleModule({
    name: "m",
    entry: path.join(dir, "mod/index.ts"),
    digest: "d",
    sdkEntry: ENTRY,
    sdkNames: Object.keys(core),
    cacheDir: path.join(dir, "cache"),
    gantryVersion: "0",
    cwd: dir,
  });
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("import "));
}

describe("SDK facade", () => {
  it("lists exactly the package entry's exports that the core SDK does not have, each from its part", async () => {
    const entry = Object.keys(await import("../../src/index.js"));
    const core = new Set(Object.keys(await import("../../src/sdk/index.js")));
    const listed = OPTIONAL_PARTS.flatMap((p) => p.names);
    expect([...listed].sort()).toEqual(entry.filter((n) => !core.has(n)).sort());
    for (const part of OPTIONAL_PARTS) {
      const mod = (await import(path.join(ROOT, "src", `${part.file}.ts`))) as object;
      for (const name of part.names) expect(Object.keys(mod)).toContain(name);
    }
  });

  it("imports only the core SDK for a module that uses no optional part", async () => {
    const lines = await importsOf(
      'import { dag, object, func } from "@dagger.io/dagger";\n' +
        "@object()\nexport class M {\n  @func()\n  hi(): string {\n    return String(dag);\n  }\n}\n",
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("/src/sdk/index.ts");
  });

  it("imports the toolchain presets, and only them, for a module that uses one", async () => {
    const lines = await importsOf(
      'import { dag } from "@dagger.io/dagger";\nimport { node } from "gantry";\n' +
        "export const x = [dag, node];\n",
    );
    expect(lines.some((l) => l.includes("/src/toolchains/index.ts"))).toBe(true);
    expect(lines.some((l) => /\/src\/(deploy|compose)\//.test(l))).toBe(false);
  });
});
