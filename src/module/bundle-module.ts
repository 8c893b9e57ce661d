// Turns a TypeScript module into one ESM file Node can import, with the SDK import pointed at Gantry's own SDK.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Message, Plugin } from "esbuild";
import { ModuleError } from "../errors.js";
import { isSdkSpecifier } from "./introspect/file-scope.js";
import { MODULE_CACHE_SCHEMA } from "./module-digest.js";

export interface BundleRequest {
  name: string;
  entry: string;
  /** The module's content digest (see module-digest.ts). */
  digest: string;
  /** Absolute path of the SDK the module must share with the CLI. */
  sdkEntry: string;
  cacheDir: string;
  gantryVersion: string;
  /** Base for file names in error messages. */
  cwd: string;
}

// `@dagger.io/dagger` and `gantry` become Gantry's SDK; every other package stays an import of the module's own node_modules.
function sdkPlugin(sdkUrl: string): Plugin {
  return {
    name: "gantry-sdk",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        isSdkSpecifier(args.path)
          ? { path: sdkUrl, external: true }
          : { path: args.path, external: true },
      );
    },
  };
}

// esbuild's messages as `file:line:col: text`, the form editors and terminals link.
function formatMessages(messages: readonly Message[], absDir: string, cwd: string): string {
  return messages
    .slice(0, 5)
    .map((m) => {
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

/** Path of the module's bundle, built with esbuild unless a bundle for this digest already exists. */
export async function bundleModule(req: BundleRequest): Promise<string> {
  const sdkUrl = pathToFileURL(req.sdkEntry).href;
  const key = createHash("sha256")
    .update(`${MODULE_CACHE_SCHEMA}\0${req.gantryVersion}\0${sdkUrl}\0${req.digest}`)
    .digest("hex")
    .slice(0, 20);
  const prefix = `${req.name.replace(/[^A-Za-z0-9_-]/g, "_")}-`;
  const file = path.join(req.cacheDir, `${prefix}${key}.mjs`);
  if (fs.existsSync(file)) return file;
  const esbuild = await import("esbuild");
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
      logLevel: "silent",
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
      plugins: [sdkPlugin(sdkUrl)],
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
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, file);
  pruneOld(req.cacheDir, prefix, path.basename(file));
  return file;
}
