// The Node preset: npm, pnpm or yarn (by lockfile), the project's package.json scripts for each task.
import { argument, object, type Directory } from "../../sdk/index.js";
import { Toolchain } from "../core/toolchain.js";
import type { ToolchainOptions } from "../core/toolchain-options.js";
import type { LanguageDefaults } from "../core/toolchain-plan.js";
import {
  detectPackageManager,
  ensurePackageManager,
  firstScript,
  pinnedVersion,
  readScripts,
  runScript,
  type PackageManager,
} from "./package-json.js";

/** The image the preset's tasks run in unless the module names one (`image`). */
export const NODE_IMAGE = "node:22-bookworm-slim";

export interface NodeOptions extends ToolchainOptions {
  /** Default: from the lockfile (pnpm-lock.yaml, yarn.lock, else npm). */
  packageManager?: PackageManager;
}

// The install command for this manager; pnpm and yarn are made available first (see ensurePackageManager).
function installCommand(pm: PackageManager, hasLockfile: boolean, pkg: string | undefined): string {
  if (pm === "npm")
    return hasLockfile ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund";
  return `${ensurePackageManager(pm, pinnedVersion(pkg, pm))} && ${pm} install --frozen-lockfile`;
}

const CACHE: Record<PackageManager, { path: string; volume: string }> = {
  npm: { path: "/root/.npm", volume: "gantry-npm" },
  pnpm: { path: "/root/.local/share/pnpm/store", volume: "gantry-pnpm" },
  yarn: { path: "/usr/local/share/.cache/yarn", volume: "gantry-yarn" },
};

const AUDIT: Record<PackageManager, string> = {
  npm: "npm audit --audit-level=high",
  pnpm: "pnpm audit --audit-level high",
  yarn: "yarn audit --level high",
};

/**
 * Node.js with npm, pnpm or yarn: each task runs the project's own script when package.json has one (`lint`,
 * `format:check`, `format`, `test`, `build`), or what the module names. With a tsconfig.json, setup also runs the
 * build script, so every task sees the compiled code.
 *
 * @example
 * const app = node(source, { name: "api", postgres: true, db: { migrate: "npm run migrate" } })
 */
@object()
export class NodeToolchain extends Toolchain {
  constructor(@argument({ defaultPath: "." }) source: Directory, options: NodeOptions = {}) {
    super(source, options);
  }

  protected override async defaults(): Promise<LanguageDefaults> {
    const entries = await this.source.entries();
    const opts = this.options as NodeOptions;
    const pm = opts.packageManager ?? detectPackageManager(entries);
    const pkg = entries.includes("package.json")
      ? await this.source.file("package.json").contents()
      : undefined;
    const scripts = readScripts(pkg);
    const script = (...names: string[]): string | undefined => {
      const s = firstScript(scripts, names);
      return s === undefined ? undefined : runScript(pm, s);
    };
    const lockfile = { npm: "package-lock.json", pnpm: "pnpm-lock.yaml", yarn: "yarn.lock" }[pm];
    const d: LanguageDefaults = {
      language: `node (${pm})`,
      image: NODE_IMAGE,
      workdir: "/app",
      env: {},
      exclude: ["node_modules", "dist", "build", "coverage", ".next"],
      depsFiles: ["package.json", lockfile, ".npmrc", "pnpm-workspace.yaml", ".yarnrc.yml"],
      caches: [CACHE[pm]],
      install: installCommand(pm, entries.includes(lockfile), pkg),
      // secretlint is a Node tool: the project's own image has what it needs, nothing more to pull
      scanImage: opts.image ?? NODE_IMAGE,
      audit: AUDIT[pm],
      reports: ["coverage", "junit.xml"],
      db: {},
    };
    const set = <K extends keyof LanguageDefaults>(
      k: K,
      v: LanguageDefaults[K] | undefined,
    ): void => {
      if (v !== undefined) d[k] = v;
    };
    set("format", script("format:check", "format-check", "check-format", "prettier:check"));
    set("formatFix", script("format", "format:fix", "prettier:write"));
    set("lint", script("lint"));
    set("lintStrict", script("lint:strict"));
    set("test", script("test"));
    set("build", script("build"));
    if (d.build) d.buildOutput = "dist";
    // TypeScript: the tests, migrations and server run the compiled code, so setup compiles it first
    if (entries.includes("tsconfig.json")) set("compile", script("build"));
    const db = d.db ?? {};
    const migrate = script("migrate", "db:migrate");
    if (migrate) db.migrate = migrate;
    const rollback = script("migrate:down", "rollback", "db:rollback");
    if (rollback) db.rollback = `${rollback} -- {step}`;
    const seed = script("seed", "db:seed");
    if (seed) db.seed = seed;
    return d;
  }
}

/** A Node toolchain over `source`; see NodeToolchain. */
export function node(source: Directory, options: NodeOptions = {}): NodeToolchain {
  return new NodeToolchain(source, options);
}
