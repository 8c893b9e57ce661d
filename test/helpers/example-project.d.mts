/** A copy of examples/<name> made to run offline here (see example-project.mjs). */
export interface ExampleCopy {
  /** The project folder: <dir>/<name>. */
  project: string;
  /** An empty state dir beside it. */
  stateDir: string;
  /** The source file (relative to the project) the benchmark's one-file change prepends a line to. */
  changeFile: string;
  /** The line it prepends, a comment in the file's language. */
  changeLine: string;
}
export function copyExample(name: string, dir: string): ExampleCopy;
