// dist/ is bundled (scripts/bundle-dist.mjs): what a run depends on must survive it, checked on the built output.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { makeStateDir, runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("the bundled dist/", () => {
  it("keeps every exported class's own name (the CLI matches constructor.name against the signature)", async () => {
    const entry = (await import(pathToFileURL(path.join(ROOT, "dist/index.js")).href)) as Record<
      string,
      unknown
    >;
    const classes = Object.entries(entry).filter(
      ([k, v]) => typeof v === "function" && /^[A-Z]/.test(k),
    );
    expect(classes.length).toBeGreaterThan(20);
    expect(classes.filter(([k, v]) => (v as { name: string }).name !== k).map(([k]) => k)).toEqual(
      [],
    );
  });

  it("prints a preset object a function returns by its class, with what to chain", async () => {
    const r = await runCommand(
      "node",
      [path.join(ROOT, "bin/gantry.js"), "call", "-m", "test/fixtures/toolchains/node-mini", "dev"],
      { cwd: ROOT, env: { GANTRY_STATE_DIR: await makeStateDir() } },
    );
    expect(r.status, r.out).toBe(0);
    expect(r.stdout.trim()).toMatch(/^Dev \(chain one of: start, stop, shell, up\)$/);
  });

  it("ships a code cache for TypeScript that a plain node accepts (a cold signature skips compiling it)", async () => {
    const script = `
      import { createRequire } from "node:module";
      const { withCodeCache } = await import(${JSON.stringify(path.join(ROOT, "dist/module/introspect/ts-api.js"))});
      const file = createRequire(${JSON.stringify(path.join(ROOT, "package.json"))}).resolve("typescript");
      const ts = withCodeCache(file, ${JSON.stringify(path.join(ROOT, "dist/typescript.v8-cache"))});
      console.log(ts ? ts.version : "refused");
    `;
    const r = await runCommand("node", ["--input-type=module", "-e", script], { cwd: ROOT });
    expect(r.status, r.out).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("ships TypeScript's parser alone, which introspection from dist/ loads instead of the whole package", async () => {
    const script = `
      const api = await import(${JSON.stringify(path.join(ROOT, "dist/module/introspect/ts-api.js"))});
      const { ts, isWhole } = api.loadTypeScriptParser();
      const sf = ts.createSourceFile("a.ts", "export class A { f(x: string) {} }", ts.ScriptTarget.Latest, true);
      // its code cache is accepted by this node (a refused one would compile the slice's 2 MB at every cold call)
      const dist = ${JSON.stringify(path.join(ROOT, "dist"))};
      const cached = api.withCodeCache(dist + "/typescript-parser.js", dist + "/typescript-parser.v8-cache");
      console.log(JSON.stringify({ isWhole, name: sf.statements[0].name.text, program: "createProgram" in ts, cached: !!cached }));
    `;
    const r = await runCommand("node", ["--input-type=module", "-e", script], { cwd: ROOT });
    expect(r.status, r.out).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      isWhole: false,
      name: "A",
      program: false,
      cached: true,
    });
  });

  it("ships the presets' digest a module's digest uses, equal to the presets' source as it is", async () => {
    const { hashLibrary } = await import("../../src/module/module-digest.js");
    const { readLibrarySources } = await import("../../src/module/library-entry.js");
    const built = (await readFile(path.join(ROOT, "dist/library.digest"), "utf8")).trim();
    expect(built).toBe(hashLibrary(readLibrarySources()));
    // and the built code keys modules by it: the same module digest from dist/ as from source
    const mod = {
      name: "node-mini",
      rootDir: path.join(ROOT, "test/fixtures/toolchains/node-mini"),
      entry: path.join(ROOT, "test/fixtures/toolchains/node-mini/.gantry/src/index.ts"),
    };
    const fromSource = (await import("../../src/module/module-digest.js")).digestModule(mod);
    const script = `
      const { digestModule } = await import(${JSON.stringify(path.join(ROOT, "dist/module/module-digest.js"))});
      console.log(digestModule(${JSON.stringify(mod)}).digest);
    `;
    const r = await runCommand("node", ["--input-type=module", "-e", script], { cwd: ROOT });
    expect(r.status, r.out).toBe(0);
    expect(r.stdout.trim()).toBe(fromSource.digest);
  });
});
