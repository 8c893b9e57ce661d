// Finds the compose file when no `-f` is given, as docker compose does: the first of the standard
// names in the directory, else in its parents; an override file beside it is loaded after it.
import fs from "node:fs";
import path from "node:path";

/** The names looked for, in order of preference. */
export const COMPOSE_FILE_NAMES = [
  "compose.yaml",
  "compose.yml",
  "docker-compose.yml",
  "docker-compose.yaml",
] as const;

// The standard-named compose files present in one directory, preferred first.
export function composeFilesIn(dir: string): string[] {
  return COMPOSE_FILE_NAMES.map((n) => path.join(dir, n)).filter(
    (p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false,
  );
}

/** The compose file for `dir` (absolute path), or undefined when neither it nor a parent has one. */
export function findComposeFile(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const found = composeFilesIn(d)[0];
    if (found) return found;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Override files merged after a discovered compose file, as docker compose does. */
export const OVERRIDE_FILE_NAMES = [
  "compose.override.yaml",
  "compose.override.yml",
  "docker-compose.override.yml",
  "docker-compose.override.yaml",
] as const;

/** The override file beside a discovered compose file, if any. */
export function findComposeOverride(dir: string): string | undefined {
  return OVERRIDE_FILE_NAMES.map((n) => path.join(dir, n)).find(
    (p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false,
  );
}
