// What `gantry init` learns from a project's files: its stacks, their scripts and tools, and its task runners.
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../../sdk/index.js";
import { justRecipes, makeTargets } from "../core/recipes.js";
import { detectPackageManager, readScripts, type PackageManager } from "../node/package-json.js";
import { declaredPythonTools, TOOL_FILES, type PythonTools } from "../python/python-tools.js";

export type Stack =
  | {
      kind: "node";
      packageManager: PackageManager;
      scripts: Record<string, string>;
      postgres: boolean;
      /** A tsconfig.json: the build script compiles what the other scripts run. */
      typescript: boolean;
    }
  | { kind: "bun"; scripts: Record<string, string>; postgres: boolean }
  | { kind: "python"; django: boolean; postgres: boolean; tools: PythonTools }
  | { kind: "go" }
  | { kind: "elixir"; ecto: boolean; postgres: boolean; mixExs: string };

export interface ProjectFacts {
  /** A name for the module (kebab-case), from package.json, mix.exs, go.mod or the folder. */
  name: string;
  /** The stacks found, the main one first. */
  stacks: Stack[];
  dockerfile: boolean;
  /** Targets of a Makefile and recipes of a justfile, when there is one. */
  make?: string[];
  just?: string[];
}

// A file's text, or undefined when it is not there.
function read(dir: string, file: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, file), "utf8");
  } catch {
    return undefined;
  }
}

/** `@scope/My_App` → `scope-my-app`: a name gantry.json and the main class can both take. */
export function moduleName(raw: string): string {
  const n = raw
    .replace(/^@/, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/^-+|-+$/g, "");
  return /^[a-z]/.test(n) ? n : `app-${n || "project"}`;
}

const PG_NODE = /"(pg|postgres|pg-promise|knex|@prisma\/client|typeorm|sequelize|drizzle-orm)"\s*:/;

/** Look at the project's top-level files (nothing is run). */
export function detectProject(dir: string): ProjectFacts {
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const has = (f: string): boolean => entries.includes(f);
  const stacks: Stack[] = [];
  let name: string | undefined;
  const pkg = read(dir, "package.json");
  if (pkg !== undefined) {
    let parsed: unknown;
    try {
      // a byte-order mark (editors on Windows write one) is not JSON, but npm reads past it
      parsed = JSON.parse(pkg.replace(/^\uFEFF/, ""));
    } catch (e) {
      // npm, and then the module's own bundle, would refuse it too: said here, before anything is written
      throw new UsageError(
        `gantry init: ${path.join(dir, "package.json")} is not valid JSON (${(e as Error).message}); nothing was written`,
        { hint: "fix package.json (npm install would fail on it too), then run gantry init again" },
      );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new UsageError(
        `gantry init: ${path.join(dir, "package.json")} is not a JSON object; nothing was written`,
        { hint: 'a package.json is an object: { "name": "…", "scripts": { … } }' },
      );
    const n = (parsed as { name?: unknown }).name;
    if (typeof n === "string" && n !== "") name = n;
    const scripts = readScripts(pkg);
    const postgres = PG_NODE.test(pkg);
    if (has("bun.lock") || has("bun.lockb") || has("bunfig.toml"))
      stacks.push({ kind: "bun", scripts, postgres });
    else
      stacks.push({
        kind: "node",
        packageManager: detectPackageManager(entries),
        scripts,
        postgres,
        typescript: has("tsconfig.json"),
      });
  }
  const mix = read(dir, "mix.exs");
  if (mix !== undefined) {
    name ??= /app:\s*:(\w+)/.exec(mix)?.[1];
    stacks.unshift({
      kind: "elixir",
      mixExs: mix,
      ecto: /:ecto_sql\b/.test(mix),
      postgres: /:postgrex\b/.test(mix),
    });
  }
  const pyFiles = ["pyproject.toml", "requirements.txt", "setup.py", "manage.py", "Pipfile"];
  if (pyFiles.some(has)) {
    const reqs = pyFiles.map((f) => read(dir, f) ?? "").join("\n");
    const postgres = /psycopg|asyncpg|postgresql/i.test(reqs);
    const toolFiles = [...entries.filter((e) => /^requirements.*\.txt$/.test(e)), ...TOOL_FILES];
    stacks.unshift({
      kind: "python",
      django: has("manage.py") || /\bdjango\b/i.test(reqs),
      postgres,
      tools: declaredPythonTools(toolFiles.map((f) => read(dir, f) ?? "")),
    });
  }
  const gomod = read(dir, "go.mod");
  if (gomod !== undefined) {
    name ??= /^module\s+(\S+)/m.exec(gomod)?.[1]?.split("/").pop();
    stacks.unshift({ kind: "go" });
  }
  const facts: ProjectFacts = {
    name: moduleName(name ?? path.basename(path.resolve(dir))),
    stacks,
    dockerfile: has("Dockerfile"),
  };
  const makefile = read(dir, "Makefile") ?? read(dir, "makefile") ?? read(dir, "GNUmakefile");
  if (makefile !== undefined) facts.make = makeTargets(makefile);
  const justfile = read(dir, "justfile") ?? read(dir, "Justfile") ?? read(dir, ".justfile");
  if (justfile !== undefined) facts.just = justRecipes(justfile);
  return facts;
}
