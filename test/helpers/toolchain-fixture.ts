// A toolchain fixture (test/fixtures/toolchains/<name>) copied into a test's temp folder, with an empty state dir beside.
import fs from "node:fs";
import path from "node:path";

export const TOOLCHAIN_FIXTURES = path.resolve(import.meta.dirname, "../fixtures/toolchains");

/** `<dir>/<name>`: a copy of the fixture the test may change; `<dir>/state`: the run's state dir, empty. */
export function copyToolchainFixture(
  dir: string,
  name: string,
): { project: string; stateDir: string } {
  const project = path.join(dir, name);
  fs.cpSync(path.join(TOOLCHAIN_FIXTURES, name), project, { recursive: true });
  const stateDir = path.join(dir, "state");
  fs.mkdirSync(stateDir);
  return { project, stateDir };
}
