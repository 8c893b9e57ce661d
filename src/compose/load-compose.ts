// Loads a compose project the way `docker compose` does: find the files, read `.env` from the
// project directory (the shell's variables win over it), interpolate and type-check each file,
// merge them in order, name the project and normalise. Warnings come back instead of being printed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ComposeError } from "../errors.js";
import { At } from "./at.js";
import type { ComposeProject } from "./compose-types.js";
import {
  COMPOSE_FILE_NAMES,
  composeFilesIn,
  findComposeFile,
  findComposeOverride,
} from "./find-compose-file.js";
import { Interpolator, interpolateTree } from "./interpolate.js";
import { mergeComposeFiles } from "./merge-compose-files.js";
import { normalizeCompose } from "./normalize-compose.js";
import { resolveProjectName } from "./project-name.js";
import { readComposeFile } from "./read-compose-file.js";
import { readDotenvFile } from "./read-dotenv.js";
import { validateComposeFile } from "./validate-compose.js";

export interface LoadComposeOptions {
  /**
   * `-f` files, in order. Empty: COMPOSE_FILE, else the first standard name in `cwd` or a parent,
   * followed by its override file (`compose.override.yaml`, `docker-compose.override.yml`, ...).
   */
  files: string[];
  /** Defaults to the first file's directory; without files, they are looked for here (as docker compose does). */
  projectDir?: string;
  projectName?: string;
  /** Active profiles; defaults to COMPOSE_PROFILES (comma-separated). */
  profiles?: string[];
  /** The environment (the CLI passes process.env); never read from process.env here. */
  env: Record<string, string | undefined>;
  /** Where relative `-f` paths start and discovery begins; defaults to process.cwd(). */
  cwd?: string;
}

export interface LoadedCompose {
  project: ComposeProject;
  warnings: string[];
}

// A path as messages show it: relative to the cwd when inside it.
function displayFrom(cwd: string): (file: string) => string {
  return (file) => {
    const rel = path.relative(cwd, file);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
  };
}

// The files to load, absolute, with a warning when discovery had several candidates.
function composeFiles(opts: LoadComposeOptions, cwd: string, warnings: string[]): string[] {
  if (opts.files.length > 0) return opts.files.map((f) => path.resolve(cwd, f));
  const fromEnv = opts.env.COMPOSE_FILE;
  if (fromEnv) {
    const sep = opts.env.COMPOSE_PATH_SEPARATOR || path.delimiter;
    return fromEnv
      .split(sep)
      .filter((f) => f !== "")
      .map((f) => path.resolve(cwd, f));
  }
  const from = opts.projectDir ? path.resolve(cwd, opts.projectDir) : cwd;
  const found = findComposeFile(from);
  if (!found) {
    throw new ComposeError(
      `no compose file found in ${from} or its parents (looked for ${COMPOSE_FILE_NAMES.join(", ")}): pass one with -f`,
    );
  }
  const all = composeFilesIn(path.dirname(found));
  if (all.length > 1) {
    const names = all.map((f) => path.basename(f)).join(", ");
    warnings.push(`found several compose files (${names}), using ${path.basename(found)}`);
  }
  const override = findComposeOverride(path.dirname(found));
  return override ? [found, override] : [found];
}

/** Loads, merges and normalises a compose project. */
export async function loadComposeProject(opts: LoadComposeOptions): Promise<LoadedCompose> {
  const cwd = opts.cwd ?? process.cwd();
  const warnings: string[] = [];
  const display = displayFrom(cwd);
  // Checked first: files are looked for from it, and a missing one must not find a parent's file instead.
  if (opts.projectDir !== undefined) {
    const given = path.resolve(cwd, opts.projectDir);
    if (!fs.statSync(given, { throwIfNoEntry: false })?.isDirectory())
      throw new ComposeError(
        `project directory ${display(given)} is not a directory (or does not exist)`,
        {
          hint: "pass an existing folder to --project-directory",
        },
      );
  }
  const files = composeFiles(opts, cwd, warnings);
  const dir = path.resolve(cwd, opts.projectDir ?? path.dirname(files[0] as string));
  const dotenvPath = path.join(dir, ".env");
  const dotenv = await readDotenvFile(
    dotenvPath,
    display(dotenvPath),
    warnings,
    (k) => opts.env[k],
  );
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(dotenv ?? {})) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;

  const parsed = [];
  for (const file of files) {
    const at = new At(display(file), warnings);
    const doc = await readComposeFile(file, at.file, warnings);
    const interpolated = interpolateTree(doc, at, new Interpolator((k) => env[k]));
    parsed.push(validateComposeFile(interpolated, at));
  }
  const merged = mergeComposeFiles(parsed);
  const name = resolveProjectName({
    explicit: opts.projectName,
    fromEnv: env.COMPOSE_PROJECT_NAME,
    fromFile: merged.name,
    dir,
  });
  const profiles =
    opts.profiles ??
    (env.COMPOSE_PROFILES ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "");
  const project = await normalizeCompose(merged, {
    name,
    dir,
    env,
    profiles,
    home: env.HOME ?? os.homedir(),
    warnings,
    display,
  });
  return { project, warnings };
}
