// Turns a TypeScript module into one ESM file Node can import, with the SDK import pointed at Gantry's own SDK and
// every package import at the file it resolves to (the bundle lives in Gantry's state dir, not beside node_modules).
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type * as Esbuild from "esbuild";
import type { Message, Plugin } from "esbuild";
import { ModuleError } from "../errors.js";
import { isSdkSpecifier } from "./introspect/file-scope.js";
import { MODULE_CACHE_SCHEMA } from "./module-digest.js";
import type { TsconfigPaths } from "./tsconfig-paths.js";
import { sealScript, unsealScript } from "../store/sealed-file.js";
import { sdkFacadeSource } from "./sdk-facade.js";

export interface BundleRequest {
  name: string;
  entry: string;
  /** The module's content digest (see module-digest.ts). */
  digest: string;
  /** Absolute path of the SDK the module must share with the CLI. */
  sdkEntry: string;
  /** The core SDK's exports; without them the bundle imports every optional part (sdk-facade.ts). */
  sdkNames?: readonly string[];
  /** Where bundles are kept: the project's `bundles/` in Gantry's state dir. */
  cacheDir: string;
  gantryVersion: string;
  /** Base for file names in error messages. */
  cwd: string;
  /** tsconfig.json `paths` aliases: aliased files are bundled like relative imports. */
  aliases?: TsconfigPaths;
  /** Folders holding the module's installed packages outside its tree (install-packages.ts). */
  nodePaths?: string[];
}

// `@dagger.io/dagger` and `gantry` become Gantry's SDK; `node:` and other builtins stay as written; every other
// package is resolved now, from the importing file's folder, to an absolute file URL: the bundle lives in Gantry's
// state dir, where Node would find no node_modules, and the package must stay the module's own (not bundled in).
// The SDK itself is a facade (sdk-facade.ts) whose parts stay external, marked free of side effects so that a part
// none of whose names the module uses is not imported at all.
function resolvePlugin(sdkEntry: string, sdkNames: readonly string[] | undefined): Plugin {
  return {
    name: "gantry-resolve",
    setup(build) {
      build.onResolve({ filter: /^file:/ }, (args) =>
        args.namespace === SDK_NAMESPACE
          ? { path: args.path, external: true, sideEffects: false }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: SDK_NAMESPACE }, () => ({
        contents: sdkFacadeSource(sdkEntry, sdkNames),
        loader: "js",
      }));
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (isSdkSpecifier(args.path))
          return { path: "gantry-sdk", namespace: SDK_NAMESPACE, sideEffects: false };
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        if (args.pluginData === RESOLVING) return undefined;
        const found = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: RESOLVING,
        });
        if (found.errors.length === 0 && found.path !== "" && path.isAbsolute(found.path)) {
          // a tsconfig alias names the module's own file: bundle it like a relative import
          if (!found.path.split(path.sep).includes("node_modules")) return { path: found.path };
          return { path: pathToFileURL(found.path).href, external: true };
        }
        // A dynamic import may guard a package that is optional; it fails when reached, as in Node.
        if (args.kind === "dynamic-import") return { path: args.path, external: true };
        return { errors: [{ text: notInstalled(args.path, args.resolveDir) }] };
      });
    },
  };
}

/** esbuild's namespace for the SDK facade module. */
const SDK_NAMESPACE = "gantry-sdk";

/** pluginData marking the plugin's own build.resolve call, so it is not resolved by the plugin again. */
const RESOLVING = Symbol("gantry-resolving");

// A bare import with no package behind it: say which package and where to install it.
function notInstalled(spec: string, fromDir: string): string {
  const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
  return `package "${pkg}" (imported as "${spec}") is not installed where the module can find it (no node_modules/${pkg} in ${fromDir} or its parents): install it, e.g. \`npm install ${pkg}\` in the module's folder`;
}

// The node_modules folders bare imports resolve from, with their mtimes: adding or removing a package changes one,
// and with it the bundle's key, since the bundle holds the resolved paths.
function nodeModulesStamp(fromDir: string): string {
  const out: string[] = [];
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const nm = path.join(dir, "node_modules");
    const st = fs.statSync(nm, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(`${nm}\0${st.mtimeMs}`);
    if (path.dirname(dir) === dir) break;
  }
  return out.join("\0");
}

// esbuild's messages as `file:line:col: text`, the form editors and terminals link.
function formatMessages(messages: readonly Message[], absDir: string, cwd: string): string {
  return messages
    .slice(0, 5)
    .map((m) => {
      // the SDK facade's internal name: say what it is (a name Gantry's SDK does not export)
      m = { ...m, text: m.text.replace(`"${SDK_NAMESPACE}:gantry-sdk"`, "Gantry's SDK") };
      if (!m.location) return m.text;
      const file = path.relative(cwd, path.resolve(absDir, m.location.file));
      return `${file}:${m.location.line}:${m.location.column + 1}: ${m.text}`;
    })
    .join("\n");
}

// Keeps the newest few bundles of a module; older ones are from earlier edits and only take space.
function pruneOld(dir: string, prefix: string, keep: string): void {
  try {
    const old = fs
      .readdirSync(dir)
      .filter(
        (f) =>
          f !== keep && f.startsWith(prefix) && /^[0-9a-f]{20}\.mjs$/.test(f.slice(prefix.length)),
      )
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .slice(2);
    for (const { f } of old) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // pruning is housekeeping; a failure must not fail the run
  }
}

// A bundle is the module's code: one damaged in the state dir must be rebuilt, never run.
function isIntactBundle(file: string): boolean {
  try {
    return unsealScript(fs.readFileSync(file, "utf8")) !== undefined;
  } catch {
    return false;
  }
}

/** Path of the module's bundle, built with esbuild unless a bundle for this digest already exists. */
export async function bundleModule(req: BundleRequest): Promise<string> {
  const sdkUrl = pathToFileURL(req.sdkEntry).href;
  const key = createHash("sha256")
    .update(`${MODULE_CACHE_SCHEMA}\0${req.gantryVersion}\0${sdkUrl}\0${req.digest}\0`)
    .update(`${req.sdkNames?.join(",") ?? "*"}\0`)
    .update(nodeModulesStamp(path.dirname(req.entry)))
    .update(`\0${(req.nodePaths ?? []).join("\0")}`)
    .digest("hex")
    .slice(0, 20);
  const prefix = `${req.name.replace(/[^A-Za-z0-9_-]/g, "_")}-`;
  const file = path.join(req.cacheDir, `${prefix}${key}.mjs`);
  if (isIntactBundle(file)) return file;
  // required, not imported: importing CommonJS from ESM makes Node scan its source for names first (~15 ms here)
  const esbuild = createRequire(import.meta.url)("esbuild") as typeof Esbuild;
  const absDir = path.dirname(req.entry);
  let code: string;
  try {
    const result = await esbuild.build({
      entryPoints: [req.entry],
      absWorkingDir: absDir,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      keepNames: true,
      sourcemap: "inline",
      // the map's sources are relative to the module folder, but the bundle lives elsewhere: anchor them, so a
      // stack trace names the module's own file
      sourceRoot: pathToFileURL(absDir).href + "/",
      logLevel: "silent",
      tsconfigRaw: {
        compilerOptions: {
          experimentalDecorators: true,
          ...(req.aliases ? { baseUrl: req.aliases.baseUrl, paths: req.aliases.paths } : {}),
        },
      },
      nodePaths: req.nodePaths ?? [],
      plugins: [resolvePlugin(req.sdkEntry, req.sdkNames)],
    });
    code = result.outputFiles[0]?.text ?? "";
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors ?? [];
    const detail =
      errors.length > 0 ? formatMessages(errors, absDir, req.cwd) : (e as Error).message;
    throw new ModuleError(
      `the module ${req.name} does not compile:\n${detail}\nfix the error and run again`,
      {
        cause: e,
      },
    );
  }
  fs.mkdirSync(req.cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, sealScript(code));
  fs.renameSync(tmp, file);
  pruneOld(req.cacheDir, prefix, path.basename(file));
  return file;
}
