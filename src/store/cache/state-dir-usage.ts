// `gantry cache ls` shows what the state dir holds, part by part (exec records, trees, blobs, bundles, run records
// per project, …): each part's size, file count and when it was last written or used.
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** One part of the state dir. */
export interface StatePart {
  /** `store/records/exec`, `store/blobs`, `projects/3f9c…-app/runs`, … relative to the state dir. */
  name: string;
  /** What a person calls it: `exec records`, `blobs`, `run records`. */
  what: string;
  bytes: number;
  files: number;
  /** The newest modification time below it (ms), when it holds anything; records are touched when a run uses them. */
  lastUsed?: number;
  /** For per-project parts: the project's path, from its project.json. */
  project?: string;
  /** Counted against the size limit and removable by `cache prune`: true for caches, false for history and keys. */
  cache: boolean;
}

/** Size, file count and newest mtime of everything under `dir` (not following links); `strict`: fail if `dir` cannot be read. */
export async function measureDir(
  dir: string,
  opts: { strict?: boolean } = {},
): Promise<{ bytes: number; files: number; lastUsed?: number }> {
  if (opts.strict) await readdir(dir);
  let bytes = 0;
  let files = 0;
  let lastUsed: number | undefined;
  const walk = async (d: string): Promise<void> => {
    const names = await readdir(d).catch(() => [] as string[]);
    for (const name of names) {
      const p = path.join(d, name);
      const st = await lstat(p).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) {
        await walk(p);
        continue;
      }
      bytes += st.size;
      files++;
      lastUsed = Math.max(lastUsed ?? 0, st.mtimeMs);
    }
  };
  await walk(dir);
  return lastUsed === undefined ? { bytes, files } : { bytes, files, lastUsed };
}

const RECORD_NAMES: Record<string, string> = {
  exec: "exec records (cached step results)",
  step: "step input records (for explanations)",
  "step-place": "step place records (for explanations)",
  "stat-cache": "stat caches (host tree hashing)",
  "read-dir": "directory read records",
  "read-file": "file read records",
  build: "image build records",
  import: "image import records",
  tarball: "image tarball records",
  "git-tree": "git tree records",
};

const PROJECT_PARTS: Record<string, { what: string; cache: boolean }> = {
  runs: { what: "run records", cache: false },
  bundles: { what: "module bundles", cache: true },
  compose: { what: "detached compose state", cache: false },
  deploy: { what: "deploy release history", cache: false },
  checks: { what: "passed-check records", cache: false },
};

const TOP_PARTS: Record<string, { what: string; cache: boolean }> = {
  "store/trees": { what: "trees (directory manifests)", cache: true },
  "store/blobs": { what: "blobs (file contents)", cache: true },
  "store/tmp": { what: "store temporary files", cache: true },
  signatures: { what: "module signature caches", cache: true },
  "cache-volumes": { what: "cache volumes (host runtime)", cache: true },
  "host-runs": { what: "host runtime scratch of runs", cache: true },
  cache: { what: "cache bookkeeping (leases, usage, evictions)", cache: false },
};

/** Every part of the state dir, records by kind and projects by folder; missing parts are left out. */
export async function measureStateDir(stateDir: string): Promise<StatePart[]> {
  const parts: StatePart[] = [];
  const add = async (name: string, what: string, cache: boolean, project?: string) => {
    const m = await measureDir(path.join(stateDir, name));
    if (m.files === 0) return;
    parts.push({ name, what, cache, ...m, ...(project ? { project } : {}) });
  };
  for (const kind of (
    await readdir(path.join(stateDir, "store", "records")).catch(() => [])
  ).sort())
    await add(`store/records/${kind}`, RECORD_NAMES[kind] ?? `${kind} records`, true);
  for (const [name, p] of Object.entries(TOP_PARTS)) await add(name, p.what, p.cache);
  for (const id of (await readdir(path.join(stateDir, "projects")).catch(() => [])).sort()) {
    const project = await projectPath(path.join(stateDir, "projects", id));
    const subs = await readdir(path.join(stateDir, "projects", id)).catch(() => [] as string[]);
    for (const sub of subs.sort()) {
      const known = PROJECT_PARTS[sub];
      if (sub === "project.json") continue;
      await add(`projects/${id}/${sub}`, known?.what ?? sub, known?.cache ?? false, project);
    }
  }
  return parts;
}

// The project a state folder belongs to, from the project.json written when it was made.
async function projectPath(dir: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(path.join(dir, "project.json"), "utf8")) as { path?: string })
      .path;
  } catch {
    return undefined;
  }
}
