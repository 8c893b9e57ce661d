// The compose project name prefixes every volume and network, so it follows compose's rule:
// lowercase letters, digits, `-` and `_`, starting with a letter or digit.
import path from "node:path";
import { ComposeError } from "../errors.js";

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** A directory name made into a project name: lowercased, other characters dropped. */
export function normalizeProjectName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "")
    .replace(/^[_-]+/, "");
}

export interface ProjectNameSources {
  /** `--project-name`. */
  explicit?: string;
  /** COMPOSE_PROJECT_NAME from the shell or `.env`. */
  fromEnv?: string;
  /** The merged files' top-level `name:`. */
  fromFile?: string;
  dir: string;
}

/** The first name given (option, COMPOSE_PROJECT_NAME, `name:`), else the directory's name. */
export function resolveProjectName(src: ProjectNameSources): string {
  const given: [string | undefined, string][] = [
    [src.explicit, "the project name option"],
    [src.fromEnv, "COMPOSE_PROJECT_NAME"],
    [src.fromFile, "the top-level name: key"],
  ];
  for (const [name, from] of given) {
    if (name === undefined || name === "") continue;
    if (VALID.test(name)) return name;
    throw new ComposeError(
      `invalid project name ${JSON.stringify(name)} from ${from}: use lowercase letters, digits, "-" and "_", starting with a letter or digit`,
    );
  }
  const derived = normalizeProjectName(path.basename(src.dir));
  if (derived !== "") return derived;
  throw new ComposeError(
    `cannot derive a project name from the directory ${src.dir}: set name: in the compose file or pass a project name`,
  );
}
