// After `tsc`: the files a run loads become a few bundled files, because loading ~150 small ES modules (resolve, read,
// compile, link each) was a third of a fully cached `gantry call` (docs/design-notes/performance.md, Decision 6).
//
// One esbuild build with code splitting over every file that is imported by path from outside Gantry's own code:
// the CLI's entry (bin/gantry.js), the core SDK and the package's optional parts (a module's bundle imports those by
// file, module/sdk-facade.ts). Code they share goes to dist/chunks/, so a module's SDK and the CLI's engine are one
// instance, as before. Every output sits two folders below the package root, like the files it replaces, so the
// lookups relative to a module's own file (package.json, the SDK entry, Gantry's root) find the same places.
// Dynamic imports stay dynamic (a chunk each): what a run does not use is still never loaded.
// The other compiled files stay in dist/ as tsc wrote them (types, and the package entry dist/index.js, which only
// re-exports the entries below); nothing of the CLI's loads them.
import { build } from "esbuild";
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const DIST = path.join(ROOT, "dist");
/** Relative to dist/; each must exist after tsc. */
export const BUNDLE_ENTRIES = [
  "cli/main.js",
  "sdk/index.js",
  "compose/compose-stack.js",
  "deploy/index.js",
  "toolchains/index.js",
];

const tmp = path.join(DIST, ".bundle-tmp");
rmSync(tmp, { recursive: true, force: true });
for (const entry of BUNDLE_ENTRIES) {
  if (!existsSync(path.join(DIST, entry))) {
    console.error(`bundle-dist: dist/${entry} is missing: run tsc first (npm run build)`);
    process.exit(1);
  }
}
await build({
  entryPoints: BUNDLE_ENTRIES.map((e) => path.join(DIST, e)),
  outbase: DIST,
  outdir: tmp,
  entryNames: "[dir]/[name]",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  // classes keep their own names (esbuild renames them when two modules share a scope): format-result and the call
  // planner match `constructor.name` against the names in the signature
  keepNames: true,
  logLevel: "warning",
});
rmSync(path.join(DIST, "chunks"), { recursive: true, force: true });
// move every output over dist/, replacing the compiled file of the same name
const move = (dir) => {
  for (const name of readdirSync(dir)) {
    const from = path.join(dir, name);
    const to = path.join(DIST, path.relative(tmp, from));
    if (statSync(from).isDirectory() && existsSync(to)) move(from);
    else renameSync(from, to);
  }
};
move(tmp);
rmSync(tmp, { recursive: true, force: true });
