// What a module's bundle imports for `@dagger.io/dagger` / `gantry`: the core SDK whole, and the package's optional
// parts (compose, deploy, the toolchain presets) by name, so that esbuild keeps the import of a part only when the
// module uses one of its names. A module that uses none never loads them (about 40 modules of a run's start-up).
// The core SDK is the file the CLI imports too (importSdk): one instance for both.
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The package entry's exports beyond the core SDK, by the file under `dist/` (or `src/`) that holds them. It must
 * list every value `src/index.ts` exports from these parts: test/unit/sdk-facade.test.ts compares it with the entry.
 */
export const OPTIONAL_PARTS: readonly { file: string; names: readonly string[] }[] = [
  { file: "compose/compose-stack", names: ["composeProject", "ComposeStack"] },
  {
    file: "deploy/index",
    names: ["deploy", "releases", "rollback", "formatReleases", "recordChecksPassed"],
  },
  {
    file: "toolchains/index",
    names: [
      "Toolchain",
      "toolchain",
      "Database",
      "Dev",
      "NodeToolchain",
      "node",
      "PythonToolchain",
      "python",
      "GoToolchain",
      "go",
      "BunToolchain",
      "bun",
      "ElixirToolchain",
      "elixir",
    ],
  },
];

/** The core SDK's file beside a package entry: `dist/sdk/index.js` for `dist/index.js` (`.ts` when run from source). */
export function coreSdkEntry(packageEntry: string): string {
  return partFile(packageEntry, "sdk/index");
}

/**
 * The facade module's source for a package entry (see the top of this file). `coreNames` are the core SDK's exports
 * (the CLI has it loaded); named, they let esbuild import just those — `export *` would make it import every part.
 */
export function sdkFacadeSource(packageEntry: string, coreNames?: readonly string[]): string {
  const url = (file: string): string =>
    JSON.stringify(pathToFileURL(partFile(packageEntry, file)).href);
  return [
    coreNames
      ? `export { ${coreNames.join(", ")} } from ${url("sdk/index")};`
      : `export * from ${url("sdk/index")};`,
    ...OPTIONAL_PARTS.map((p) => `export { ${p.names.join(", ")} } from ${url(p.file)};`),
  ].join("\n");
}

// A part's file, in the entry's folder and with its extension.
function partFile(packageEntry: string, file: string): string {
  return path.join(path.dirname(packageEntry), file + path.extname(packageEntry));
}
