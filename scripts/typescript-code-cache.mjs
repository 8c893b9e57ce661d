// After `tsc`: a V8 code cache for typescript.js in dist/, so a run whose module signature is not cached yet (a
// fresh state dir, an edited module) skips compiling TypeScript's 9 MB again (docs/design-notes/performance.md,
// Decision 9). Made by this Node: another Node (or another typescript) makes V8 reject it, and Gantry then loads
// TypeScript as usual. The cache is made after parsing a sample module, so the parser's functions are in it too.
// Then the same for typescript.js cut down to its parser (Decision 17): dist/typescript-parser.js and its cache,
// which introspection loads instead; not made (and TypeScript loaded whole) when the cut fails or the slice reads the
// check's sample modules (slice-check.ts) differently from the whole. Its cache is made after that check, so the
// parser's and the introspection's paths are in it.
import { Buffer } from "node:buffer";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import {
  codeCacheFor,
  runCommonJs,
  TS_CODE_CACHE,
  TS_PARSER,
  TS_PARSER_CODE_CACHE,
} from "../dist/module/introspect/ts-api.js";
import { sliceDiffers } from "../dist/module/introspect/slice-check.js";
import { typescriptParserSlice } from "../dist/module/introspect/typescript-slice.js";

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

const sliceFile = path.join(ROOT, "dist", TS_PARSER);
const sliceCache = path.join(ROOT, "dist", TS_PARSER_CODE_CACHE);
const slice = typescriptParserSlice(source.toString("utf8"));
let made = false;
if (slice) {
  const bytes = Buffer.from(slice);
  fs.writeFileSync(sliceFile, bytes);
  try {
    const { script: sliceScript, exports: parser } = runCommonJs(sliceFile, bytes);
    const differs = sliceDiffers(parser, ts);
    if (differs) throw new Error(`it reads a module differently from typescript.js: ${differs}`);
    fs.writeFileSync(sliceCache, codeCacheFor(bytes, sliceScript.createCachedData()));
    made = true;
  } catch (err) {
    console.warn(
      `typescript-code-cache: the parser slice is not used (${err.message}); TypeScript loads whole`,
    );
  }
} else {
  console.warn(
    "typescript-code-cache: typescript.js is not laid out as expected; TypeScript loads whole",
  );
}
if (!made) for (const f of [sliceFile, sliceCache]) fs.rmSync(f, { force: true });
