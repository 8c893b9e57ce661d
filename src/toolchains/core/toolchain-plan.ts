// A preset's options merged over its language's defaults: what each task actually runs.
import type { File } from "../../sdk/index.js";
import type { Command } from "./command.js";
import type {
  DbOptions,
  DevOptions,
  PostgresOptions,
  SmokeOptions,
  ToolchainOptions,
} from "./toolchain-options.js";

/** A cache volume mounted into every task (a package manager's download cache). */
export interface CacheMount {
  path: string;
  /** The volume's name; the same name is the same volume for every project on the engine. */
  volume: string;
}

export interface ToolchainPlan {
  language: string;
  name: string;
  image: string;
  workdir: string;
  env: Record<string, string>;
  caCerts?: File;
  exclude: string[];
  depsFiles: string[];
  caches: CacheMount[];
  systemPackages: string[];
  install?: Command;
  compile?: Command;
  format?: Command;
  formatFix?: Command;
  lint?: Command;
  lintStrict?: Command;
  test?: Command;
  reports: string[];
  build?: Command;
  buildOutput?: string;
  dockerfile?: string;
  smoke?: SmokeOptions & { env: Record<string, string> };
  audit?: Command;
  /** Output of the audit that means its service could not be reached (so nothing was checked). */
  auditUnreachable: RegExp;
  secretScan: boolean;
  scanImage: string;
  postgres?: Required<PostgresOptions>;
  db: DbOptions & { database: string };
  dev: DevOptions;
}

/** What a language fills in when the module leaves an option out. */
export type LanguageDefaults = Omit<
  ToolchainPlan,
  | "name"
  | "reports"
  | "secretScan"
  | "scanImage"
  | "db"
  | "postgres"
  | "auditUnreachable"
  | "systemPackages"
  | "smoke"
  | "dev"
> &
  Partial<Pick<ToolchainPlan, "reports" | "auditUnreachable" | "systemPackages">> & {
    db?: DbOptions;
    dev?: DevOptions;
    postgresImage?: string;
    /** The secret scan's image when the module names none (a Node preset scans in its own image). */
    scanImage?: string;
  };

export const DEFAULT_EXCLUDE = [".git", ".gantry", ".dagger"];

// An option given as false turns a task off; left out, the language's default stands.
function pick(
  opt: Command | false | undefined,
  fallback: Command | undefined,
): Command | undefined {
  if (opt === false) return undefined;
  return opt ?? fallback;
}

// The default says what nearly every audit tool prints when its service is out of reach.
const UNREACHABLE =
  /ENOTFOUND|ECONNREFUSED|ECONNRESET|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|getaddrinfo|network|audit endpoint returned an error|request to \S+ failed|connection refused|could not resolve|proxy|ERR_SOCKET_TIMEOUT|ERR_PNPM_AUDIT_BAD_RESPONSE/i;

/** The plan: the module's options over the language's defaults. */
export function resolvePlan(opts: ToolchainOptions, d: LanguageDefaults): ToolchainPlan {
  const name = opts.name ?? "app";
  const plan: ToolchainPlan = {
    language: d.language,
    name,
    image: opts.image ?? d.image,
    workdir: d.workdir,
    env: { ...d.env, ...opts.env },
    exclude: [...new Set([...DEFAULT_EXCLUDE, ...d.exclude, ...(opts.exclude ?? [])])],
    depsFiles: opts.depsFiles ?? d.depsFiles,
    caches: d.caches,
    systemPackages: opts.systemPackages ?? d.systemPackages ?? [],
    reports: opts.reports ?? d.reports ?? [],
    auditUnreachable: d.auditUnreachable ?? UNREACHABLE,
    secretScan: opts.secretScan ?? true,
    scanImage: opts.scanImage ?? d.scanImage ?? "node:22-bookworm-slim",
    db: { ...d.db, ...opts.db, database: opts.db?.database ?? `${name}_dev` },
    dev: { ...d.dev, ...opts.dev },
  };
  const commands = {
    install: pick(opts.install, d.install),
    compile: pick(opts.compile, d.compile),
    format: pick(opts.format, d.format),
    formatFix: pick(opts.formatFix, d.formatFix),
    lint: pick(opts.lint, d.lint),
    lintStrict: pick(opts.lintStrict, d.lintStrict),
    test: pick(opts.test, d.test),
    build: pick(opts.build, d.build),
    audit: pick(opts.audit, d.audit),
  };
  for (const [k, v] of Object.entries(commands))
    if (v !== undefined) Object.assign(plan, { [k]: v });
  const buildOutput = opts.buildOutput ?? d.buildOutput;
  if (buildOutput !== undefined) plan.buildOutput = buildOutput;
  if (opts.caCerts) plan.caCerts = opts.caCerts;
  const dockerfile = opts.dockerfile ?? d.dockerfile;
  if (dockerfile !== undefined) plan.dockerfile = dockerfile;
  if (opts.smoke) {
    plan.smoke = { ...opts.smoke, env: opts.smoke.env ?? {} };
  }
  if (opts.postgres) {
    const pg = opts.postgres === true ? {} : opts.postgres;
    plan.postgres = {
      image: pg.image ?? d.postgresImage ?? "postgres:16-bookworm",
      user: pg.user ?? "postgres",
      password: pg.password ?? "postgres",
      database: pg.database ?? `${name}_test`,
    };
  }
  return plan;
}
