// The Bun preset: bun install from the lockfile, package.json scripts through `bun run`, `bun test`.
import { argument, object, type Directory } from "../../sdk/index.js";
import { Toolchain } from "../core/toolchain.js";
import type { ToolchainOptions } from "../core/toolchain-options.js";
import type { LanguageDefaults } from "../core/toolchain-plan.js";
import { firstScript, readScripts } from "../node/package-json.js";

/** The image the preset's tasks run in unless the module names one (`image`). */
export const BUN_IMAGE = "oven/bun:1-debian";

export type BunOptions = ToolchainOptions;

/**
 * Bun: dependencies from bun.lock(b), each task the project's own script run by `bun run` when package.json has
 * one, `bun test` for the tests.
 *
 * @example
 * const cli = bun(source, { name: "cli" })
 */
@object()
export class BunToolchain extends Toolchain {
  constructor(@argument({ defaultPath: "." }) source: Directory, options: BunOptions = {}) {
    super(source, options);
  }

  protected override async defaults(): Promise<LanguageDefaults> {
    const entries = await this.source.entries();
    const pkg = entries.includes("package.json")
      ? await this.source.file("package.json").contents()
      : undefined;
    const scripts = readScripts(pkg);
    const script = (...names: string[]): string | undefined => {
      const s = firstScript(scripts, names);
      return s === undefined ? undefined : `bun run ${s}`;
    };
    const d: LanguageDefaults = {
      language: "bun",
      image: BUN_IMAGE,
      workdir: "/app",
      env: {},
      exclude: ["node_modules", "dist", "coverage"],
      depsFiles: ["package.json", "bun.lock", "bun.lockb", "bunfig.toml"],
      caches: [{ path: "/root/.bun/install/cache", volume: "gantry-bun" }],
      install:
        entries.includes("bun.lock") || entries.includes("bun.lockb")
          ? "bun install --frozen-lockfile"
          : "bun install",
      test: script("test") ?? "bun test --coverage",
      reports: ["coverage", "junit.xml"],
      db: {},
    };
    const set = <K extends keyof LanguageDefaults>(k: K, v: LanguageDefaults[K] | undefined) => {
      if (v !== undefined) d[k] = v;
    };
    set("format", script("format:check", "format-check", "check-format"));
    set("formatFix", script("format", "format:fix"));
    set("lint", script("lint"));
    set("build", script("build"));
    const dev = script("dev", "start");
    if (dev) d.dev = { command: dev, ports: [3000] };
    if (d.build) d.buildOutput = "dist";
    return d;
  }
}

/** A Bun toolchain over `source`; see BunToolchain. */
export function bun(source: Directory, options: BunOptions = {}): BunToolchain {
  return new BunToolchain(source, options);
}
