// The Elixir preset: mix deps, format check, compile with warnings as errors, ExUnit with coverage, Ecto's tasks.
import { argument, object, type Directory } from "../../sdk/index.js";
import { Toolchain } from "../core/toolchain.js";
import type { DbOptions, ToolchainOptions } from "../core/toolchain-options.js";
import type { LanguageDefaults } from "../core/toolchain-plan.js";

/** The image the preset's tasks run in unless the module names one (`image`). */
export const ELIXIR_IMAGE = "elixir:1.17";

export type ElixirOptions = ToolchainOptions;

/** The db commands of a project that uses Ecto (its mix.exs names :ecto_sql): mix's own ecto.* tasks. */
export const ECTO_DB = {
  create: "mix ecto.create",
  migrate: "mix ecto.migrate",
  rollback: "mix ecto.rollback --step {step}",
  seed: "mix run priv/repo/seeds.exs",
  reset: "mix ecto.reset",
} as const;

/**
 * The db commands of a project without Ecto, from its mix aliases named `db.migrate`, `db.rollback`, `db.seed`,
 * `db.reset` (e.g. aliases running psql scripts): `mix db.rollback {step}` gets `--step N` as its argument.
 */
export function mixAliasDb(mixExs: string): DbOptions {
  const has = (name: string): boolean =>
    new RegExp(`["']${name.replace(".", "\\.")}["']\\s*:`).test(mixExs);
  const db: DbOptions = {};
  if (has("db.create")) db.create = "mix db.create";
  if (has("db.migrate")) db.migrate = "mix db.migrate";
  if (has("db.rollback")) db.rollback = "mix db.rollback {step}";
  if (has("db.seed")) db.seed = "mix db.seed";
  if (has("db.reset")) db.reset = "mix db.reset";
  return db;
}

/** `mix hex.audit`, or exit 127 ("not installed", so `security` says not checked) when Hex is not installed. */
export const HEX_AUDIT =
  'if mix help hex.audit >/dev/null 2>&1; then mix hex.audit; else echo "mix hex.audit: Hex is not installed" >&2; exit 127; fi';

/**
 * Elixir with mix: `mix format --check-formatted`, `mix compile --warnings-as-errors` as the lint (Credo when the
 * project has it), `mix test --cover`; with Ecto, `db` runs `mix ecto.create|migrate|rollback|reset`.
 *
 * @example
 * const app = elixir(source, { name: "shop", postgres: true })
 */
@object()
export class ElixirToolchain extends Toolchain {
  constructor(@argument({ defaultPath: "." }) source: Directory, options: ElixirOptions = {}) {
    super(source, options);
  }

  protected override async defaults(): Promise<LanguageDefaults> {
    const entries = await this.source.entries();
    const mix = entries.includes("mix.exs") ? await this.source.file("mix.exs").contents() : "";
    const ecto = /:ecto_sql\b/.test(mix);
    const credo = /:credo\b/.test(mix);
    return {
      language: ecto ? "elixir (ecto)" : "elixir",
      image: ELIXIR_IMAGE,
      workdir: "/app",
      env: { MIX_ENV: "test" },
      exclude: ["deps", "_build", "cover", ".elixir_ls"],
      depsFiles: ["mix.exs", "mix.lock"],
      caches: [
        { path: "/root/.hex", volume: "gantry-hex" },
        { path: "/root/.mix", volume: "gantry-mix" },
      ],
      install: "mix deps.get",
      compile: "mix compile --warnings-as-errors",
      format: "mix format --check-formatted",
      formatFix: "mix format",
      lint: credo ? "mix credo" : "mix compile --warnings-as-errors --force",
      lintStrict: credo ? "mix credo --strict" : "mix compile --warnings-as-errors --force",
      test: "mix test --cover",
      reports: ["cover"],
      audit: /:mix_audit\b/.test(mix) ? "mix deps.audit" : HEX_AUDIT,
      db: ecto ? { ...ECTO_DB } : mixAliasDb(mix),
    };
  }
}

/** An Elixir toolchain over `source`; see ElixirToolchain. */
export function elixir(source: Directory, options: ElixirOptions = {}): ElixirToolchain {
  return new ElixirToolchain(source, options);
}
