// The deploy workflow `gantry ci generate github` writes: ci → gate → deploy → health → rollback, as jobs.
// - gate: after ci passed on main, runs the module's `ci` again on that commit, which records the pass for deploy's
//   quality gate in Gantry's state dir;
// - deploy: in the `production` environment (its protection rules give the approval), with that state restored and
//   the deploy token from the repository's secrets; Gantry's own health gate rolls a bad release back inside it;
// - health: asks the public URL (`vars.DEPLOY_URL`) from another runner, tolerating DNS that has not propagated;
// - rollback: only when health failed after a successful deploy, `gantry call rollback` in the same environment.
// The state dir carries the release history from run to run: each job saves it under a key of its own (cache keys
// are immutable), and the next run's gate restores the newest deploy's.
import { stringify } from "yaml";
import {
  callStep,
  envName,
  HEADER,
  installStep,
  pickChecks,
  pickDeploy,
  type WorkflowFunction,
  type WorkflowInput,
} from "./workflows.js";

const STATE = "~/.cache/gantry";
const RUN = "${{ github.run_id }}-${{ github.run_attempt }}";
const OS = "${{ runner.os }}";
const SHA = "${{ github.event.workflow_run.head_sha || github.sha }}";

// Checkout of the commit ci passed on, Node, Gantry's state restored from `key` (or the newest `restoreKeys`).
function restoreSteps(
  input: WorkflowInput,
  key: string,
  restoreKeys?: string,
): Record<string, unknown>[] {
  return [
    { uses: "actions/checkout@v4", with: { ref: SHA } },
    { uses: "actions/setup-node@v4", with: { "node-version": input.nodeVersion } },
    {
      name: "Gantry's state (checks record, release history, content store)",
      uses: "actions/cache/restore@v4",
      with: { path: STATE, key, ...(restoreKeys ? { "restore-keys": restoreKeys } : {}) },
    },
    installStep(input),
  ];
}

// Saved even when the step before failed: a failed deploy's history (failed-health) must reach the next run.
function saveStep(key: string): Record<string, unknown> {
  return {
    name: "Save Gantry's state",
    if: "always()",
    uses: "actions/cache/save@v4",
    with: { path: STATE, key },
  };
}

/** The deploy workflow; a skeleton step when the module has no deploy function. */
export function deployWorkflow(input: WorkflowInput): string {
  const fn = pickDeploy(input.functions);
  const rollback = input.functions.find((f) => f.cliName === "rollback");
  const ci = input.functions.find((f) => f.cliName === "ci");
  const gateCalls = ci ? [ci] : pickChecks(input.functions);
  const tokens = (f: WorkflowFunction): string[] => [...f.secrets, ...(f.optionalSecrets ?? [])];
  const deployKey = `gantry-${OS}-deploy-${RUN}`;
  const jobs: Record<string, unknown> = {
    gate: {
      name: `gate (${gateCalls.map((f) => f.cliName).join(", ")})`,
      if: "${{ github.event_name == 'workflow_dispatch' || github.event.workflow_run.conclusion == 'success' }}",
      "runs-on": "ubuntu-latest",
      steps: [
        ...restoreSteps(input, `gantry-${OS}-gate-${RUN}`, `gantry-${OS}-deploy-\ngantry-${OS}-`),
        ...gateCalls.map((f) => callStep(input, f)),
        saveStep(`gantry-${OS}-gate-${RUN}`),
      ],
    },
    deploy: {
      needs: "gate",
      "runs-on": "ubuntu-latest",
      environment: "production",
      steps: [
        ...restoreSteps(input, `gantry-${OS}-gate-${RUN}`),
        fn
          ? callStep(input, fn, tokens(fn))
          : {
              name: "deploy",
              // a skeleton: the module has no deploy function yet
              run: 'echo "Add a deploy function to the module (gantry init writes one for a project with a Dockerfile) and call it here"; exit 1',
            },
        saveStep(deployKey),
      ],
    },
    health: {
      needs: "deploy",
      if: "${{ vars.DEPLOY_URL != '' }}",
      "runs-on": "ubuntu-latest",
      steps: [
        {
          name: "GET $DEPLOY_URL (2xx or 3xx), retried for DNS propagation",
          run: 'curl --fail --silent --show-error --output /dev/null --max-time 10 --retry 12 --retry-delay 5 --retry-all-errors "$DEPLOY_URL"',
          env: { DEPLOY_URL: "${{ vars.DEPLOY_URL }}" },
        },
      ],
    },
  };
  if (rollback)
    jobs.rollback = {
      needs: ["deploy", "health"],
      if: "${{ always() && needs.deploy.result == 'success' && needs.health.result == 'failure' }}",
      "runs-on": "ubuntu-latest",
      environment: "production",
      steps: [
        ...restoreSteps(input, deployKey),
        callStep(input, rollback, tokens(rollback)),
        saveStep(`${deployKey}-rollback`), // the newest "deploy-" key: the next gate restores it
      ],
    };
  const doc = {
    name: "deploy",
    on: {
      workflow_run: { workflows: ["ci"], types: ["completed"], branches: ["main"] },
      workflow_dispatch: {},
    },
    permissions: { contents: "read", deployments: "write" },
    concurrency: { group: "deploy", "cancel-in-progress": false },
    env: { FORCE_COLOR: "1" },
    jobs,
  };
  return (
    HEADER(
      "ci → gate → deploy → health → rollback.\n" +
        "# Approval: add required reviewers to the `production` environment (Settings → Environments).\n" +
        `# Secrets: ${[...new Set([fn, rollback].flatMap((f) => (f ? tokens(f) : [])))].map(envName).join(", ") || "none"} · variable DEPLOY_URL: the public URL the health job asks.`,
    ) + stringify(doc, { lineWidth: 0 })
  );
}
