// `gantry ci generate github`: workflows that call the module's own functions — one job per check, so each shows
// on its own, with Gantry's state cached between runs. The deploy workflow is in deploy-workflow.ts.
import { stringify } from "yaml";

/** What the generator needs to know of one function. */
export interface WorkflowFunction {
  /** As typed after `gantry call`. */
  cliName: string;
  /** Required Secret parameters (kebab-case): passed as `--name=env:NAME` from the repository's secrets. */
  secrets: string[];
  /** Optional Secret parameters (kebab-case): the deploy job passes these too (a deploy token). */
  optionalSecrets?: string[];
  /** A required parameter that is not a secret: the function cannot run unattended without a value. */
  needsValues: boolean;
}

export interface WorkflowInput {
  moduleName: string;
  functions: WorkflowFunction[];
  /** `-m DIR` when the module is not at the repository's root. */
  modDir?: string;
  /** The constructor's required values (kebab-case): every call passes the repository variable NAME as `--name`. */
  ctorVars?: string[];
  /** How gantry is run: from the project's own devDependencies, or installed for the job. */
  install: "project" | "global";
  gantryVersion: string;
  nodeVersion: string;
}

const DEPLOY = /deploy|release|publish|ship|rollback/i;

/** Checks are the functions that run with no values given, except deploy-like ones. */
export function pickChecks(fns: readonly WorkflowFunction[]): WorkflowFunction[] {
  return fns.filter((f) => !f.needsValues && !DEPLOY.test(f.cliName));
}

/** The deploy function, if the module has one. */
export function pickDeploy(fns: readonly WorkflowFunction[]): WorkflowFunction | undefined {
  return fns.find((f) => DEPLOY.test(f.cliName));
}

/** SECRET_NAME for a parameter `api-token`. */
export function envName(param: string): string {
  return param.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
}

/** The steps every job shares: checkout, Node, Gantry itself, and Gantry's state dir restored and saved. */
export function setupSteps(input: WorkflowInput, job: string): Record<string, unknown>[] {
  const steps: Record<string, unknown>[] = [
    { uses: "actions/checkout@v4" },
    { uses: "actions/setup-node@v4", with: { "node-version": input.nodeVersion } },
    {
      name: "Gantry's state (content store, cache records, bundles)",
      uses: "actions/cache@v4",
      with: {
        // Gantry's default state dir (XDG cache); `runner.*` is not available in workflow-level env to move it
        path: "~/.cache/gantry",
        key: `gantry-\${{ runner.os }}-${job}-\${{ github.sha }}`,
        "restore-keys": `gantry-\${{ runner.os }}-${job}-\ngantry-\${{ runner.os }}-`,
      },
    },
  ];
  steps.push(installStep(input));
  return steps;
}

/** The repository variable naming what npm installs Gantry from, when the project does not list it. */
export const INSTALL_VARIABLE = "GANTRY_INSTALL";

/**
 * Gantry itself: the project's own (`npm ci`), or installed for the job from what the repository variable
 * GANTRY_INSTALL names (a git or tarball URL, a package of the team's registry). Never `gantry@VERSION` from the
 * public registry: Gantry is not published there, and whoever took the name would run code in every job, the
 * deploy job's token included. Without the variable the step fails saying what to set.
 */
export function installStep(input: WorkflowInput): Record<string, unknown> {
  if (input.install === "project") return { run: "npm ci" };
  const unset =
    `Gantry is not on the public npm registry: set the repository variable ${INSTALL_VARIABLE} to what npm installs ` +
    `it from (a git URL, a tarball URL, or a package of your registry; generated with Gantry ${input.gantryVersion}), ` +
    "or list it in package.json's devDependencies and generate again";
  return {
    name: "install gantry",
    env: { [INSTALL_VARIABLE]: `\${{ vars.${INSTALL_VARIABLE} }}` },
    run:
      `if [ -z "$${INSTALL_VARIABLE}" ]; then echo "::error::${unset}"; exit 1; fi\n` +
      `npm install --global "$${INSTALL_VARIABLE}"\n`,
  };
}

/** `gantry call FN --secret=env:SECRET` with the secrets (`secrets`, or the function's required ones) in its env. */
export function callStep(
  input: WorkflowInput,
  fn: WorkflowFunction,
  secrets: string[] = fn.secrets,
): Record<string, unknown> {
  const gantry = input.install === "project" ? "npx gantry" : "gantry";
  const mod = input.modDir ? ` -m ${input.modDir}` : "";
  const vars = input.ctorVars ?? [];
  // a variable's value reaches the shell through the environment, quoted, never pasted into the script's text (where
  // `x; curl …` would run); unset, the step stops saying which variable to set
  const varEnv = (v: string) => `GANTRY_VAR_${envName(v)}`;
  const flags =
    secrets.map((s) => ` --${s}=env:${envName(s)}`).join("") +
    vars.map((v) => ` --${v}="$${varEnv(v)}"`).join("");
  const checks = vars.map(
    (v) =>
      `: "\${${varEnv(v)}:?set the repository variable ${envName(v)} (--${v} of the module's constructor)}"\n`,
  );
  const step: Record<string, unknown> = {
    name: `gantry call ${fn.cliName}`,
    run: `${checks.join("")}${gantry}${mod} call ${fn.cliName}${flags}`,
  };
  if (secrets.length || vars.length)
    step.env = Object.fromEntries([
      ...secrets.map((s) => [envName(s), `\${{ secrets.${envName(s)} }}`]),
      ...vars.map((v) => [varEnv(v), `\${{ vars.${envName(v)} }}`]),
    ]);
  return step;
}

/** The comment at the top of every generated workflow. */
export const HEADER = (what: string) =>
  `# Generated by \`gantry ci generate github\`: ${what}\n# Each job calls a function of the module, exactly as on a laptop; edit freely.\n`;

/** The ci workflow: one job per check, on pushes to main and on pull requests. */
export function ciWorkflow(input: WorkflowInput): string {
  const jobs: Record<string, unknown> = {};
  for (const fn of pickChecks(input.functions)) {
    const id = fn.cliName.replace(/[^A-Za-z0-9_-]/g, "-");
    jobs[id] = {
      name: fn.cliName,
      "runs-on": "ubuntu-latest",
      steps: [...setupSteps(input, id), callStep(input, fn)],
    };
  }
  const doc = {
    name: "ci",
    on: { push: { branches: ["main"] }, pull_request: {} },
    permissions: { contents: "read" },
    concurrency: { group: "ci-${{ github.ref }}", "cancel-in-progress": true },
    env: { FORCE_COLOR: "1" },
    jobs,
  };
  return HEADER(`the checks of module ${input.moduleName}.`) + stringify(doc, { lineWidth: 0 });
}
