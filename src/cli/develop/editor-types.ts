// Editor types for a module, as `dagger develop` writes Dagger's SDK beside one: the SDK's declaration files copied
// into `<source>/sdk/` (gitignored), and a tsconfig.json that maps `gantry` and `@dagger.io/dagger` to them, so an
// editor and `tsc` check the module without a package installed. The bundler ignores the mapping: it resolves both
// names to the running Gantry's SDK first (bundle-module.ts).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { UsageError } from "../../errors.js";
import { resolveSdkEntry } from "../../module/sdk-entry.js";

export interface EditorTypes {
  /** Declaration files written under `<source>/sdk/`. */
  files: number;
  /** Node's types (`process`, `node:fs`) were copied too: this Gantry has @types/node beside it. */
  nodeTypes: boolean;
  /** True when tsconfig.json was written now; false when the module already had one (left as it is). */
  wroteTsconfig: boolean;
  tsconfig: string;
  sdkDir: string;
}

const tsconfigFor = (nodeTypes: boolean) => ({
  compilerOptions: {
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "Bundler",
    strict: true,
    experimentalDecorators: true,
    skipLibCheck: true,
    noEmit: true,
    paths: { gantry: ["./sdk/index.d.ts"], "@dagger.io/dagger": ["./sdk/index.d.ts"] },
    // module code runs in Node: `process`, `node:fs` (without them, tsc looks for the project's own @types)
    ...(nodeTypes ? { typeRoots: ["./sdk/types"], types: ["node"] } : {}),
  },
  include: ["src"],
});

// @types/node as Gantry was built with it, when it is installed beside Gantry (a checkout, or npm with dev deps).
function nodeTypesDir(): string | undefined {
  try {
    return path.dirname(createRequire(resolveSdkEntry()).resolve("@types/node/package.json"));
  } catch {
    return undefined;
  }
}

// The SDK's index.d.ts: beside the running dist/index.js, or in dist/ when Gantry runs from its sources.
function sdkTypesEntry(): string {
  const entry = resolveSdkEntry();
  const candidates = [
    entry.replace(/\.(js|ts)$/, ".d.ts"),
    path.join(path.dirname(entry), "..", "dist", "index.d.ts"),
  ];
  const found = candidates.find((f) => f.endsWith(".d.ts") && fs.existsSync(f));
  if (!found)
    throw new UsageError(
      "gantry develop: this Gantry has no declaration files (dist/index.d.ts): build it first (npm run build)",
    );
  return found;
}

// Every declaration file index.d.ts reaches by relative import, as paths relative to its folder.
function reachable(entry: string): string[] {
  const root = path.dirname(entry);
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file) || !fs.existsSync(file)) continue;
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from\s+|import\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      const spec = (m[1] as string).replace(/\.js$/, "");
      todo.push(path.resolve(path.dirname(file), `${spec}.d.ts`));
    }
  }
  return [...seen].map((f) => path.relative(root, f));
}

/** The file that says an `sdk/` folder is Gantry's copy, which develop may replace. */
const MARKER = ".gantry-sdk";

/** Write (or refresh) the module's editor types; an existing tsconfig.json is kept, a foreign sdk/ refused. */
export function writeEditorTypes(sourceDir: string): EditorTypes {
  const entry = sdkTypesEntry();
  const sdkDir = path.join(sourceDir, "sdk");
  const existing = fs.existsSync(sdkDir) ? fs.readdirSync(sdkDir) : [];
  if (existing.length > 0 && !existing.includes(MARKER))
    throw new UsageError(
      `gantry develop: ${sdkDir} exists and is not Gantry's copy of its SDK (no ${MARKER} in it); nothing was written`,
      {
        hint: "move that folder, or keep the module's sources in a folder of their own (gantry.json's source)",
      },
    );
  const files = reachable(entry);
  fs.rmSync(sdkDir, { recursive: true, force: true });
  for (const rel of files) {
    const to = path.join(sdkDir, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(path.dirname(entry), rel), to);
  }
  const ignore = path.join(sourceDir, ".gitignore");
  const ignored = fs.existsSync(ignore) ? fs.readFileSync(ignore, "utf8") : "";
  if (!/^\/?sdk\/?$/m.test(ignored))
    fs.writeFileSync(ignore, `${ignored}${ignored && !ignored.endsWith("\n") ? "\n" : ""}/sdk/\n`);
  fs.writeFileSync(
    path.join(sdkDir, MARKER),
    "Written by gantry develop: Gantry's SDK declarations for editors. Replaced on every run; not to be edited.\n",
  );
  const node = nodeTypesDir();
  if (node) fs.cpSync(node, path.join(sdkDir, "types", "node"), { recursive: true });
  const tsconfig = path.join(sourceDir, "tsconfig.json");
  const wroteTsconfig = !fs.existsSync(tsconfig);
  if (wroteTsconfig)
    fs.writeFileSync(tsconfig, `${JSON.stringify(tsconfigFor(node !== undefined), null, 2)}\n`);
  return { files: files.length, nodeTypes: node !== undefined, wroteTsconfig, tsconfig, sdkDir };
}
