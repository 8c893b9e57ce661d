// Fixture modules are copied into a temp folder, so tests never write caches or traces into the repository.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/modules");

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(prefix = "gantry-mod-"): { dir: string; cleanup: () => void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Copy a fixture module into `dir/<name>` and return that path. */
export function copyFixture(name: string, dir: string): string {
  const dest = path.join(dir, name);
  fs.cpSync(path.join(FIXTURES, name), dest, { recursive: true });
  return dest;
}

/** Write files (path → text) under a root folder, creating folders as needed. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}
