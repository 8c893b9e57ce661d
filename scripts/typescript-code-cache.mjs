// After `tsc`: a V8 code cache for typescript.js in dist/, so a run whose module signature is not cached yet (a
// fresh state dir, an edited module) skips compiling TypeScript's 9 MB again (docs/design-notes/performance.md,
// Decision 9). Made by this Node: another Node (or another typescript) makes V8 reject it, and Gantry then loads
// TypeScript as usual. The cache is made after parsing a sample module, so the parser's functions are in it too.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { codeCacheFor, runCommonJs, TS_CODE_CACHE } from "../dist/module/introspect/ts-api.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const file = createRequire(path.join(ROOT, "package.json")).resolve("typescript");
const source = fs.readFileSync(file);
const { script, exports: ts } = runCommonJs(file, source);
const sample = `
import { dag, Directory, object, func, argument } from "@dagger.io/dagger";
/** A module. */
@object()
export class Sample {
  constructor(@argument({ defaultPath: "/" }) public source: Directory, private image = "node:22") {}
  /** Runs the tests. */
  @func()
  async test(@argument({ ignore: ["node_modules"] }) src: Directory, flags: string[] = [], n?: number): Promise<string> {
    return dag.container().from(this.image).withDirectory("/src", src).withExec(["npm", "test", ...flags]).stdout();
  }
}
export enum Level { Low = "low", High = "high" }
`;
ts.createSourceFile("sample.ts", sample, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
fs.writeFileSync(
  path.join(ROOT, "dist", TS_CODE_CACHE),
  codeCacheFor(source, script.createCachedData()),
);
