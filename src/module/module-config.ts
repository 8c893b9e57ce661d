// Parses gantry.json and dagger.json into one shape, with warnings instead of silent guesses.
import { ModuleError } from "../errors.js";

export type ConfigKind = "gantry" | "dagger";

export interface ModuleConfig {
  kind: ConfigKind;
  name: string;
  /** Module source folder relative to the config file's folder; undefined when the file names none. */
  source: string | undefined;
  /** dagger.json's `engineVersion` (`v0.18.0`): the Dagger API semantics the module was written against. */
  engineVersion?: string;
  /** dagger.json's `dependencies`: other modules it calls as `dag.<name>()`. */
  dependencies: ModuleDependency[];
}

/** A module this one depends on: a local path (relative to the config) or a git ref, pinned to a commit. */
export interface ModuleDependency {
  name: string;
  source: string;
  pin?: string;
}

export interface ParsedConfig {
  config: ModuleConfig;
  warnings: string[];
}

const KNOWN_KEYS: Record<ConfigKind, readonly string[]> = {
  gantry: ["name", "source", "sdk", "$schema"],
  // dagger.json has many keys Gantry has no use for (dependencies, engineVersion, …); only ours are read.
  dagger: [],
};

const EXAMPLE_SOURCE: Record<ConfigKind, string> = { gantry: ".gantry", dagger: ".dagger" };

// The SDK a dagger.json names: `"typescript"`, `{ "source": "typescript" }`, or a ref to the TypeScript SDK.
function sdkSource(sdk: unknown): string | undefined {
  if (typeof sdk === "string") return sdk;
  if (sdk && typeof sdk === "object" && typeof (sdk as { source?: unknown }).source === "string") {
    return (sdk as { source: string }).source;
  }
  return undefined;
}

/** Read a config file's text; every problem names the file and says how to fix it. */
export function parseModuleConfig(kind: ConfigKind, file: string, text: string): ParsedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModuleError(`${file} is not valid JSON (${(e as Error).message}): fix the file`, {
      cause: e,
    });
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ModuleError(`${file} must hold a JSON object like {"name": "my-pipeline"}`);
  }
  const obj = raw as Record<string, unknown>;
  if (typeof obj.name !== "string" || obj.name.trim() === "") {
    throw new ModuleError(`${file} has no "name": add a module name, e.g. {"name": "my-pipeline"}`);
  }
  if (obj.source !== undefined && (typeof obj.source !== "string" || obj.source.trim() === "")) {
    throw new ModuleError(
      `${file}: "source" must be a folder path relative to the file, e.g. "${EXAMPLE_SOURCE[kind]}"`,
    );
  }
  const warnings: string[] = [];
  if (obj.sdk !== undefined) {
    const sdk = sdkSource(obj.sdk);
    if (sdk === undefined || !/typescript/i.test(sdk)) {
      throw new ModuleError(
        `${file} names the SDK ${JSON.stringify(obj.sdk)}: Gantry runs TypeScript modules only; set "sdk": "typescript"`,
      );
    }
  } else if (kind === "dagger") {
    throw new ModuleError(
      `${file} names no "sdk", so it declares no functions: add "sdk": "typescript" and a source folder`,
    );
  }
  for (const key of Object.keys(obj)) {
    if (kind === "gantry" && !KNOWN_KEYS.gantry.includes(key)) {
      warnings.push(`${file}: unknown key "${key}" is ignored`);
    }
  }
  const source = typeof obj.source === "string" ? obj.source : undefined;
  const engineVersion = typeof obj.engineVersion === "string" ? obj.engineVersion : undefined;
  const dependencies = parseDependencies(file, obj.dependencies);
  return { config: { kind, name: obj.name, source, engineVersion, dependencies }, warnings };
}

// Dagger writes `[{ "name", "source", "pin"? }]`; a bare string (older configs) names its source.
function parseDependencies(file: string, raw: unknown): ModuleDependency[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new ModuleError(`${file}: "dependencies" must be a list of {"name", "source"}`);
  return raw.map((d: unknown, i) => {
    const o = typeof d === "string" ? { source: d } : (d as Record<string, unknown> | null);
    const src = o?.source;
    if (typeof src !== "string" || src === "")
      throw new ModuleError(
        `${file}: dependency ${i + 1} has no "source": give its path or git ref`,
      );
    const name =
      typeof o?.name === "string" && o.name
        ? o.name
        : (src.replace(/@.*$/, "").split("/").filter(Boolean).pop() ?? src);
    const pin = typeof o?.pin === "string" && o.pin ? o.pin : undefined;
    return pin ? { name, source: src, pin } : { name, source: src };
  });
}
