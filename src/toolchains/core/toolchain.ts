// The task catalog every preset shares: setup, clean, reset, format, lint, security, test, build, db, quality, ci.
import {
  argument,
  check,
  dag,
  func,
  object,
  type Container,
  type Directory,
} from "../../sdk/index.js";
import { commandArgv } from "./command.js";
import { Database } from "./database.js";
import { Dev } from "./dev.js";
import { formatChanges, hostPathOf } from "./format-fix.js";
import { postgresOf, postgresService, withDatabaseImageHint, withPostgres } from "./postgres.js";
import { environmentVars } from "./environments.js";
import { withRecipes } from "./recipes.js";
import { passOnDryRun, runTask, settleTask, type TaskOutcome } from "./run-task.js";
import { auditDependencies, scanSecrets } from "./security.js";
import { projectImage, smokeRun } from "./smoke.js";
import { notes, stageFailure, summaryTable } from "./summary.js";
import type { ToolchainOptions } from "./toolchain-options.js";
import { resolvePlan, type LanguageDefaults, type ToolchainPlan } from "./toolchain-plan.js";
import { baseContainer, projectSource, uncached, workspace } from "./workspace.js";
import { ciSteps, runCi } from "./workflows.js";
import { checkArgv, missingToolNote } from "./missing-tool.js";
import { recordCiPass } from "./ci-record.js";

// Both streams of a finished exec, as a person would have seen them.
async function outputOf(c: Container): Promise<string> {
  const [out, err] = await Promise.all([c.stdout(), c.stderr()]);
  return [out, err].filter((s) => s.trim() !== "").join("\n");
}

/**
 * A project's pipeline from its own tools. Presets (`node()`, `python()`, `go()`, `bun()`, `elixir()`) fill in each
 * task's command; a module extends one, or returns one from a function, and overrides what it needs.
 *
 * @example
 * @object()
 * export class App extends NodeToolchain {
 *   constructor(@argument({ defaultPath: "." }) source: Directory) {
 *     super(source, { name: "app", lint: "npm run lint", postgres: true })
 *   }
 * }
 */
@object()
export class Toolchain {
  /** The project's source, as every task sees it (less `exclude`). */
  readonly source: Directory;
  /** @internal */
  readonly options: ToolchainOptions;
  private planned?: Promise<ToolchainPlan>;
  /** `ci --env=NAME`: the environment's variables, over the plan's. */
  private envOverlay?: Record<string, string>;

  constructor(@argument({ defaultPath: "." }) source: Directory, options: ToolchainOptions = {}) {
    this.source = source;
    this.options = options;
  }

  /** The language's defaults; each preset overrides this. A bare Toolchain runs only the commands it is given. */
  protected async defaults(): Promise<LanguageDefaults> {
    return {
      language: "generic",
      image: "debian:bookworm-slim",
      workdir: "/src",
      env: {},
      exclude: [],
      depsFiles: [],
      caches: [],
    };
  }

  /** @internal The options over the language's defaults, worked out once. */
  plan(): Promise<ToolchainPlan> {
    const runner = this.options.taskRunner;
    const overlay = this.envOverlay;
    return (this.planned ??= this.defaults()
      .then((d) => (runner ? withRecipes(d, this.source, runner) : d))
      .then((d) => resolvePlan(this.options, d))
      .then((p) => (overlay ? { ...p, env: { ...p.env, ...overlay } } : p)));
  }

  /** @internal The installed project: what every task starts from. */
  async workspace(): Promise<Container> {
    return workspace(await this.plan(), this.source);
  }

  /** Install the dependencies (into a cache volume) and compile: the container every task starts from. */
  @func()
  async setup(): Promise<Container> {
    return runTask("setup", async () => (await this.workspace()).sync());
  }

  /** Empty the toolchain's cache volumes (downloaded packages, build caches). */
  @func()
  async clean(): Promise<string> {
    const plan = await this.plan();
    if (plan.caches.length === 0) return "nothing to clean: this toolchain keeps no cache volumes";
    let c = dag.container().from(plan.image);
    plan.caches.forEach((cache, i) => {
      c = c.withMountedCache(`/gantry-clean/${i}`, dag.cacheVolume(cache.volume));
    });
    await runTask("clean", () =>
      uncached(c).withExec(["find", "/gantry-clean", "-mindepth", "2", "-delete"]).sync(),
    );
    return `emptied cache volumes: ${plan.caches.map((c) => c.volume).join(", ")}`;
  }

  /** Clean, then set up again from scratch (dependencies installed anew). */
  @func()
  async reset(): Promise<Container> {
    await this.clean();
    const plan = await this.plan();
    return runTask("reset", () => workspace(plan, this.source, true).sync());
  }

  /**
   * Check the formatting; with --fix, rewrite the files, show the diff and write the changes back to the project.
   * @param fix rewrite the files instead of checking them
   */
  @func()
  @check()
  async format(fix = false): Promise<string> {
    const plan = await this.plan();
    const cmd = fix ? plan.formatFix : plan.format;
    if (!cmd) {
      return `not checked: no ${fix ? "formatFix" : "format"} command is configured for ${plan.language}`;
    }
    const ws = await this.workspace();
    if (!fix) {
      return runTask("format", async () => {
        const out = await outputOf(ws.withExec(checkArgv(cmd)));
        return missingToolNote(out, cmd, plan.image) ?? out;
      });
    }
    return runTask("format --fix", async () => {
      const src = projectSource(plan, this.source);
      const { diff, changes, files } = await formatChanges(plan, ws, src, cmd);
      if (files.length === 0) return "format: nothing to change";
      const dest = hostPathOf(this.source);
      if (!dest) {
        return `${diff}\nnot applied: the source is not a host folder; export \`format\`'s changes yourself`;
      }
      await changes.export(dest);
      return `${diff}\nformat: rewrote ${files.length} file(s) in ${dest}: ${files.join(", ")}`;
    });
  }

  /**
   * Lint the project with its own linter.
   * @param strict fail on warnings too
   * @param args extra arguments passed to the linter
   */
  @func()
  @check()
  async lint(strict = false, args: string[] = []): Promise<string> {
    const plan = await this.plan();
    const cmd = strict ? (plan.lintStrict ?? plan.lint) : plan.lint;
    if (!cmd) return `not checked: no lint command is configured for ${plan.language}`;
    // --strict without a strict variant runs the plain lint, and says so rather than pass as if warnings failed
    const plain =
      strict && plan.lintStrict === undefined
        ? `\nnote: no lintStrict command is configured for ${plan.language}: ran the plain lint, whose warnings may pass`
        : "";
    const ws = await this.workspace();
    return runTask(strict ? "lint --strict" : "lint", async () => {
      const out = await outputOf(ws.withExec(checkArgv(cmd, args)));
      return (missingToolNote(out, cmd, plan.image) ?? out) + plain;
    });
  }

  /** Audit the dependencies for known vulnerabilities and scan the source for committed secrets. */
  @func()
  @check()
  async security(): Promise<string> {
    const plan = await this.plan();
    return runTask("security", async () => {
      const ws = await this.workspace();
      const [audit, secrets] = await Promise.all([
        auditDependencies(plan, ws),
        scanSecrets(plan, projectSource(plan, this.source)),
      ]);
      return `${audit}\n${secrets}`;
    });
  }

  /** @internal The tests' container: the project, a fresh PostgreSQL when configured, the test command run. */
  async testRun(args: string[] = []): Promise<Container> {
    const plan = await this.plan();
    if (!plan.test) throw new Error(`no test command is configured for ${plan.language}`);
    let c = await this.workspace();
    if (plan.postgres) {
      const pg = postgresOf(plan);
      c = withPostgres(c, pg, pg.database, postgresService(pg, pg.database));
    }
    return c.withExec(commandArgv(plan.test, args));
  }

  /**
   * Run the tests with the project's own runner (against PostgreSQL when configured).
   * @param args extra arguments passed to the test runner
   */
  @func()
  @check()
  async test(args: string[] = []): Promise<string> {
    const plan = await this.plan();
    if (!plan.test) return `not checked: no test command is configured for ${plan.language}`;
    return runTask("test", async () => {
      try {
        return await outputOf(await this.testRun(args));
      } catch (e) {
        throw withDatabaseImageHint(e, plan);
      }
    });
  }

  /** The reports the tests leave (coverage, JUnit XML), as configured in `reports`. */
  @func()
  async testReports(): Promise<Directory> {
    const plan = await this.plan();
    const include = plan.reports.flatMap((r) => [r, `${r}/**`]);
    return runTask("test", async () =>
      (await this.testRun()).directory(plan.workdir).filter({ include }).sync(),
    );
  }

  /** Build the project's artifact; returns the build output folder. */
  @func()
  async build(): Promise<Directory> {
    const plan = await this.plan();
    const cmd = plan.build;
    if (!cmd) throw new Error(`no build command is configured for ${plan.language}`);
    const out = `${plan.workdir}/${plan.buildOutput ?? "."}`;
    return runTask("build", async () =>
      (await this.workspace()).withExec(commandArgv(cmd)).directory(out).sync(),
    );
  }

  /** The image the project's Dockerfile builds (`dockerfile` option). */
  @func()
  async image(): Promise<Container> {
    const plan = await this.plan();
    return runTask("image", () => projectImage(plan, this.source).sync());
  }

  /** Start the built image (with PostgreSQL when configured) and call its HTTP paths (`smoke` option). */
  @func()
  async smoke(): Promise<string> {
    const plan = await this.plan();
    return runTask("smoke", async () => outputOf(smokeRun(plan, await this.image())));
  }

  /** The development database: create, migrate, rollback, seed, reset, shell. */
  @func()
  db(): Database {
    return new Database(this);
  }

  /** The development environment: start (left running), stop, shell, and up (clean + setup + start). */
  @func()
  dev(): Dev {
    return new Dev(this);
  }

  /** Format, lint and security in parallel; prints a table and fails if any failed. */
  @func()
  async quality(): Promise<string> {
    const outcomes: TaskOutcome[] = await Promise.all([
      settleTask("format", () => this.format()),
      settleTask("lint", () => this.lint()),
      settleTask("security", () => this.security()),
    ]);
    passOnDryRun(outcomes);
    if (outcomes.some((o) => o.status === "failed")) throw stageFailure("quality", outcomes);
    const n = notes(outcomes);
    return `${summaryTable(outcomes)}${n ? `\n\n${n}` : ""}`;
  }

  /**
   * The whole pipeline: setup, then quality and test in parallel, then build and image, then smoke, then export.
   * A full pass (no --fast, no --skip) is recorded for this source, so `deploy` of the same source passes its gate.
   * @param fast skip the slow checks (security)
   * @param skip tasks to leave out, comma-separated (format,lint,security,test,build,image,smoke)
   * @param export_ a folder to write the build output and test reports to
   * @param env an environment: the variables of .env.<env> and the module's environments.<env> for every task
   */
  @func()
  async ci(fast = false, skip = "", export_ = "", env = ""): Promise<string> {
    if (env !== "") {
      this.envOverlay = await environmentVars(this.source, this.options.environments, env);
      this.planned = undefined;
    }
    const plan = await this.plan();
    const steps = ciSteps(plan, { fast, skip, exportDir: export_ });
    const sourceDir = hostPathOf(this.source);
    if (sourceDir) steps.sourceDir = sourceDir;
    const out = await runCi(this, plan, steps);
    return `${out}\n\n${await recordCiPass(this.source, !fast && skip.trim() === "")}`;
  }

  /** @internal The base image with caches and CAs, for helpers a module adds. */
  async base(): Promise<Container> {
    return baseContainer(await this.plan());
  }
}

/** A toolchain that runs only the commands it is given (a Makefile or justfile project, an unknown stack). */
export function toolchain(source: Directory, options: ToolchainOptions = {}): Toolchain {
  return new Toolchain(source, options);
}
