// Commands that read past runs (report, cache explain) find the project as `call` does, and its runs folder in the state dir.
import path from "node:path";
import { findModule } from "../module/find-module.js";
import { projectStateDir } from "../store/project-state-dir.js";
import type { CliIo } from "./cli-io.js";
import type { GlobalOptions } from "./global-flags.js";

/** `<stateDir>/projects/<id>/runs` of the module found from the cwd (or -m); the cwd itself when there is no module. */
export function projectRunsDir(globals: GlobalOptions, io: CliIo): string {
  let root = io.cwd;
  try {
    root = findModule({
      cwd: io.cwd,
      ...(globals.mod !== undefined ? { modDir: globals.mod } : {}),
    }).rootDir;
  } catch {
    // a compose project, or a folder with no module: its runs are recorded under the folder itself
  }
  return path.join(projectStateDir(io.env.stateDir, root), "runs");
}
