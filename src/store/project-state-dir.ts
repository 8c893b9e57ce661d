// Gantry's per-project files (run records, module bundles, compose state) live in its state dir, never in the project.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { stateDirWriteSync } from "./state-dir-write.js";

/** What `projects/<id>/project.json` holds: enough for a person to tell which project a folder belongs to. */
export interface ProjectRecord {
  path: string;
}

/**
 * `<stateDir>/projects/<12 hex of sha256(path)>-<basename>`: the hash keeps two projects with one
 * name apart, the basename lets a person find theirs by eye. `projectDir` must be absolute.
 */
export function projectStateDir(stateDir: string, projectDir: string): string {
  const abs = path.resolve(projectDir);
  const hash = createHash("sha256").update(abs).digest("hex").slice(0, 12);
  const base = path.basename(abs).replace(/[^A-Za-z0-9._-]/g, "_") || "root";
  return path.join(stateDir, "projects", `${hash}-${base}`);
}

/**
 * The project's state folder, created with its `project.json` (written once, then left alone),
 * plus `sub` inside it: `ensureProjectDir(state, "/src/app", "runs")`.
 */
export function ensureProjectDir(stateDir: string, projectDir: string, sub: string): string {
  const dir = projectStateDir(stateDir, projectDir);
  const target = path.join(dir, sub);
  const record = path.join(dir, "project.json");
  const tmp = `${record}.${process.pid}.tmp`;
  stateDirWriteSync(
    stateDir,
    "the project's folder",
    () => {
      fs.mkdirSync(target, { recursive: true });
      if (fs.existsSync(record)) return;
      const body: ProjectRecord = { path: path.resolve(projectDir) };
      fs.writeFileSync(tmp, JSON.stringify(body, null, 2) + "\n");
      fs.renameSync(tmp, record);
    },
    tmp,
  );
  return target;
}
