import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findModule } from "../../src/module/find-module.js";
import { digestModule } from "../../src/module/module-digest.js";
import { loadSignature, type Introspect } from "../../src/module/signature-cache.js";
import { copyFixture, tempDir } from "./module-test-helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

// An introspector that must not run: a warm load has to come from the cache file.
const mustNotIntrospect: Introspect = () => {
  throw new Error("introspection ran although the signature was cached");
};

describe("signature cache", () => {
  it("stores the signature by content digest and serves the second load without introspecting", async () => {
    const mod = findModule({ cwd: copyFixture("gantry-basic", dir) });
    const stateDir = path.join(dir, "state");
    const cold = await loadSignature(mod, { stateDir });
    expect(cold.fromCache).toBe(false);
    expect(cold.cacheFile).toBe(path.join(stateDir, "signatures", `${cold.digest.digest}.json`));
    expect(fs.existsSync(cold.cacheFile)).toBe(true);

    const warm = await loadSignature(mod, { stateDir, introspect: mustNotIntrospect });
    expect(warm.fromCache).toBe(true);
    expect(warm.signature).toEqual(cold.signature);
  });

  it("misses after an edit to any local file the entry imports", async () => {
    const root = copyFixture("gantry-basic", dir);
    const mod = findModule({ cwd: root });
    const stateDir = path.join(dir, "state");
    const before = await loadSignature(mod, { stateDir });
    fs.appendFileSync(path.join(root, ".gantry/report.ts"), "\n// edited\n");
    let ran = false;
    const after = await loadSignature(mod, {
      stateDir,
      introspect: async (m, files) => {
        ran = true;
        return { ...before.signature, moduleName: m.name, warnings: [String(files.size)] };
      },
    });
    expect(ran).toBe(true);
    expect(after.digest.digest).not.toBe(before.digest.digest);
  });

  it("digests only the module's own files, ignoring caches and runs beside them", () => {
    const root = copyFixture("gantry-basic", dir);
    const mod = findModule({ cwd: root });
    const a = digestModule(mod);
    fs.mkdirSync(path.join(root, ".gantry/cache"), { recursive: true });
    fs.writeFileSync(path.join(root, ".gantry/cache/x.mjs"), "x");
    fs.writeFileSync(path.join(root, ".gantry/unrelated.ts"), "export const y = 1;\n");
    const b = digestModule(mod);
    expect(b.digest).toBe(a.digest);
    expect([...a.files.keys()].map((f) => path.relative(root, f))).toEqual([
      ".gantry/index.ts",
      ".gantry/report.ts",
    ]);
  });

  it("treats an unreadable or stale cache file as a miss", async () => {
    const mod = findModule({ cwd: copyFixture("gantry-basic", dir) });
    const stateDir = path.join(dir, "state");
    const cold = await loadSignature(mod, { stateDir });
    fs.writeFileSync(cold.cacheFile, "{not json");
    expect((await loadSignature(mod, { stateDir })).fromCache).toBe(false);
    fs.writeFileSync(cold.cacheFile, JSON.stringify({ ...cold.signature, schema: -1 }));
    expect((await loadSignature(mod, { stateDir })).fromCache).toBe(false);
  });
});

// Static imports reachable from a file, following relative .js → .ts; dynamic import() is not followed.
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = fs.readFileSync(file, "utf8");
  for (const m of text.matchAll(/^(?:import|export)\s(?!type\b)[^;]*?from\s*"([^"]+)"/gm)) {
    const spec = m[1] as string;
    if (!spec.startsWith(".")) {
      seen.add(spec);
      continue;
    }
    staticImports(path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")), seen);
  }
  return seen;
}

describe("the warm `gantry functions` path", () => {
  it("never statically imports typescript, esbuild, dockerode, the engine or the SDK", () => {
    const src = path.resolve(import.meta.dirname, "../../src");
    const reach = [
      ...staticImports(path.join(src, "cli/main.ts")),
      ...staticImports(path.join(src, "cli/functions/functions-command.ts")),
    ];
    const heavy = reach.filter((f) =>
      /typescript|esbuild|dockerode|\/engine\/(?!events)|\/sdk\/|\/runtime\//.test(f),
    );
    expect(heavy).toEqual([]);
  });
});
