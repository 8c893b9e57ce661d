// One release on docker: its release command (run to completion in the new image), its container beside the live
// one, and the health gate it must pass before any traffic reaches it.
import type { DeployedContainer, DeploymentRuntime } from "../../engine/api/index.js";
import { deployStep, scrubText } from "../../engine/api/index.js";
import { DeployError, shellJoin } from "../../errors.js";
import type { HealthSettings } from "../deploy-options.js";
import type { Release } from "../release-history.js";
import { healthError, waitHealthy } from "../wait-healthy.js";
import { DEPLOY_LABELS, networkName, releaseContainerName } from "./docker-names.js";

const LOG_TAIL = 30;

export interface ReleaseContext {
  rt: DeploymentRuntime;
  app: string;
  labels: Record<string, string>;
  signal: AbortSignal;
}

/** Run the release command in the new image on the deployment network; its failure stops the deploy. */
export async function runReleaseCommand(
  c: ReleaseContext,
  rel: Release,
  args: string[],
): Promise<void> {
  await deployStep(`release command ${shellJoin(args)}`, async (log) => {
    const name = `${releaseContainerName(c.app, rel.id)}-release-command`;
    await removeByName(c, name);
    const ctr = await c.rt.start({
      name,
      image: rel.image,
      network: networkName(c.app),
      labels: {
        ...c.labels,
        [DEPLOY_LABELS.role]: "release-command",
        [DEPLOY_LABELS.release]: rel.id,
      },
      env: rel.appPort ? [`PORT=${rel.appPort}`] : [],
      entrypoint: [],
      cmd: args,
      oneOff: true,
      signal: c.signal,
    });
    try {
      const code = await c.rt.wait(ctr.id, c.signal);
      const logs = scrubText(await c.rt.logs(ctr.id, LOG_TAIL));
      for (const line of logs.trimEnd().split("\n")) if (line) log(line);
      if (code !== 0)
        throw new DeployError(
          `release command \`${shellJoin(args)}\` of release ${rel.id} exited with code ${code}; the deploy stopped and traffic did not move\n  ── last lines ──\n${indent(logs)}`,
          { hint: "fix the release command (or what it talks to) and deploy again" },
        );
    } finally {
      await c.rt.remove(ctr.id, 0);
    }
  });
}

/** Start the release's container beside the live one, published on a free port for the health checks. */
export async function startRelease(c: ReleaseContext, rel: Release): Promise<DeployedContainer> {
  const name = releaseContainerName(c.app, rel.id);
  await removeByName(c, name);
  const appPort = rel.appPort as number;
  return deployStep(`start release ${rel.id}`, () =>
    c.rt.start({
      name,
      image: rel.image,
      network: networkName(c.app),
      labels: { ...c.labels, [DEPLOY_LABELS.role]: "release", [DEPLOY_LABELS.release]: rel.id },
      env: [`PORT=${appPort}`],
      publish: [{ backend: appPort }],
      signal: c.signal,
    }),
  );
}

/** Ask every health path of the release directly; on failure remove it and throw with its last log lines. */
export async function checkRelease(
  c: ReleaseContext,
  rel: Release,
  ctr: DeployedContainer,
  health: HealthSettings,
  after: string,
): Promise<number> {
  const at = ctr.hostPorts[`${rel.appPort}/tcp`];
  if (!at)
    throw new DeployError(
      `release ${rel.id} publishes no port ${rel.appPort} the health check could reach`,
    );
  const t0 = Date.now();
  const targets = health.paths.map((p) => ({ label: p, url: `http://${at.host}:${at.port}${p}` }));
  await deployStep(`health check release ${rel.id} (${health.paths.join(", ")})`, async (log) => {
    const res = await waitHealthy(targets, {
      timeoutMs: health.timeoutMs,
      retries: health.retries,
      bodyMatch: health.bodyMatch,
      signal: c.signal,
      stopReason: async () => {
        const st = await c.rt.state(ctr.id).catch(() => ({ running: false, exitCode: undefined }));
        return st.running
          ? undefined
          : `the release's process exited with code ${st.exitCode ?? "?"}`;
      },
      onAttempt: (t, o, n) => {
        if (o.ok) log(`${t.label}: answered ${o.status} (attempt ${n})`);
      },
    });
    if (!res.ok) {
      const logs = scrubText(await c.rt.logs(ctr.id, LOG_TAIL).catch(() => ""));
      await c.rt.remove(ctr.id, 0);
      throw healthError(`release ${rel.id} of ${c.app}`, res, health.bodyMatch, logs, after);
    }
    return res;
  });
  return Date.now() - t0;
}

// A container left by an interrupted deploy under the name we need.
async function removeByName(c: ReleaseContext, name: string): Promise<void> {
  for (const ctr of await c.rt.list(c.labels)) if (ctr.name === name) await c.rt.remove(ctr.id, 0);
}

function indent(text: string): string {
  return text.trim() === ""
    ? "  (no output)"
    : text
        .trimEnd()
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n");
}
