// `gantry ci generate github`: write workflows that call the module's functions (see observe/github/workflows.ts).
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../../errors.js";
import { findModule } from "../../module/find-module.js";
import { gantryVersion } from "../../module/gantry-version.js";
import { toKebabCase } from "../../module/names.js";
import { functionCliName, mainObjectOf } from "../../module/signature.js";
import { loadSignature } from "../../module/signature-cache.js";
import {
  ciWorkflow,
  envName,
  pickChecks,
  type WorkflowFunction,
} from "../../observe/github/workflows.js";
import { deployWorkflow } from "../../observe/github/deploy-workflow.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { splitPositionals } from "../positional-args.js";

const HELP = `Write GitHub Actions workflows that call the module's functions.

Usage: gantry ci generate github [--output DIR] [--force]

  .github/workflows/ci.yml      one job per check (functions that need no values; not deploy*)
  .github/workflows/deploy.yml  after ci passed on main: gate (ci again, recorded for deploy's quality gate) →
                                deploy (environment production, its token a secret) → health (vars.DEPLOY_URL)
                                → rollback when health failed

  --output DIR   the repository's root (default: the module's root folder)
  --force        overwrite workflows that exist
`;

/** Run `gantry ci …`; returns the exit code. */
export async function runCi(globals: GlobalOptions, rest: string[], io: CliIo): Promise<number> {
  let output: string | undefined;
  let force = false;
  const words = splitPositionals(
    rest,
    globals,
    {
      output: (v) => {
        if (!v) throw new UsageError("--output needs a folder");
        output = v;
      },
    },
    { force: () => (force = true) },
  );
  if (globals.help || words.length === 0) {
    io.stdout.write(HELP);
    return globals.help ? 0 : 2;
  }
  if (words[0] !== "generate" || words[1] !== "github" || words.length > 2)
    throw new UsageError(`unknown ci command "${words.join(" ")}": use gantry ci generate github`);
  const mod = findModule({
    cwd: io.cwd,
    ...(globals.mod !== undefined ? { modDir: globals.mod } : {}),
  });
  const { signature } = await loadSignature(mod, { stateDir: io.env.stateDir });
  // fields are values, not checks
  const main = mainObjectOf(signature);
  const methods = main.functions.filter((fn) => fn.kind === "method");
  const requiredOf = (params: typeof main.constructorParams) =>
    params.filter((p) => !p.optional && p.defaultPath === undefined);
  const secret = (t: (typeof main.constructorParams)[number]) =>
    t.type.kind === "core" && t.type.name === "Secret";
  // the constructor's required values reach every call: secrets from the repository's secrets, others from its variables
  const ctorRequired = requiredOf(main.constructorParams);
  const ctorSecrets = ctorRequired.filter(secret).map((p) => toKebabCase(p.name));
  const ctorVars = ctorRequired.filter((p) => !secret(p)).map((p) => toKebabCase(p.name));
  const functions: WorkflowFunction[] = methods.map((fn) => {
    const required = requiredOf(fn.params);
    return {
      cliName: toKebabCase(functionCliName(fn)),
      secrets: [...ctorSecrets, ...required.filter(secret).map((p) => toKebabCase(p.name))],
      optionalSecrets: fn.params
        .filter((p) => p.optional && secret(p))
        .map((p) => toKebabCase(p.name)),
      needsValues: required.some((p) => !secret(p)),
    };
  });
  if (pickChecks(functions).length === 0)
    throw new UsageError(
      `module ${signature.moduleName} has no function that runs without values to make a ci job of`,
      {
        hint: 'give a check function defaults for its parameters (e.g. @argument({ defaultPath: "." }) source: Directory)',
      },
    );
  const root = path.resolve(io.cwd, output ?? mod.rootDir);
  const rel = path.relative(root, mod.rootDir);
  const pkg = readPackageJson(root);
  const input = {
    moduleName: signature.moduleName,
    functions,
    ...(rel && rel !== "." ? { modDir: rel } : {}),
    ...(ctorVars.length > 0 ? { ctorVars } : {}),
    install: dependsOnGantry(pkg) ? ("project" as const) : ("global" as const),
    gantryVersion: gantryVersion(),
    nodeVersion: "20",
  };
  const dir = path.join(root, ".github", "workflows");
  const files: [string, string][] = [
    [path.join(dir, "ci.yml"), ciWorkflow(input)],
    [path.join(dir, "deploy.yml"), deployWorkflow(input)],
  ];
  const existing = files.filter(([f]) => fs.existsSync(f)).map(([f]) => path.relative(io.cwd, f));
  if (existing.length && !force)
    throw new UsageError(`${existing.join(" and ")} already exist: pass --force to overwrite them`);
  for (const v of ctorVars)
    io.stderr.write(
      `note: ${signature.moduleName}'s constructor needs --${v}: every job passes the repository variable ${envName(v)} as --${v}; set it (Settings → Variables)\n`,
    );
  if (rel.startsWith(".."))
    io.stderr.write(
      `warning: the module (${rel}) is outside ${root}: the jobs call it with -m ${rel}, which a checkout of that repository does not have; generate from the repository that holds the module, or pass --output its root\n`,
    );
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of files) {
    fs.writeFileSync(file, text);
    io.stdout.write(`${file}\n`);
  }
  return 0;
}

// The project's package.json, when there is one.
function readPackageJson(
  root: string,
): Record<string, Record<string, string> | undefined> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Record<
      string,
      Record<string, string>
    >;
  } catch {
    return undefined;
  }
}

// A project that lists gantry itself runs it with `npm ci` + `npx gantry`, at the version it pins.
function dependsOnGantry(pkg: ReturnType<typeof readPackageJson>): boolean {
  return !!(pkg?.dependencies?.gantry ?? pkg?.devDependencies?.gantry);
}
