// The deploy functions a module's @func()s wrap: deploy, releases and rollback, on the docker or fly target.
import type { Container } from "../sdk/index.js";
import { UsageError } from "../errors.js";
import {
  checkAppName,
  checkPort,
  parseHealth,
  releaseCommandArgs,
  type HealthSettings,
} from "./deploy-options.js";
import type { DeployOptions, DeployResult, DeployTarget, RollbackOptions } from "./deploy-types.js";
import { deployDocker, releasesDocker, rollbackDocker } from "./docker/docker-target.js";
import { deployFly, releasesFly, rollbackFly } from "./fly/fly-target.js";
import { requireChecksPassed } from "./quality-gate.js";
import type { Release } from "./release-history.js";

/**
 * Build the project and deploy it as a new release: started beside the live one, health-checked, switched to, and
 * the old release stopped. A release that fails its health check never receives traffic (or gives it back) and is
 * removed; the error says which check failed how, with the release's last log lines.
 *
 * @example
 * \@func() async deploy(@argument({ defaultPath: "." }) source: Directory, app: string, port: number,
 *                      health: string, force = false): Promise<string> {
 *   const r = await deploy({ target: "docker", app, source, port, health, force });
 *   return `release ${r.release.id} is live at ${r.url}`;
 * }
 */
export async function deploy(o: DeployOptions): Promise<DeployResult> {
  const target = targetOf(o.target);
  const app = checkAppName(o.app);
  const health = parseHealth(o.health, {
    timeout: o.healthTimeout,
    retries: o.healthRetries,
    body: o.healthBody,
  });
  if (!o.source && !o.container)
    throw new UsageError(
      "deploy needs a source directory (built with its Dockerfile) or a container",
    );
  const sourceDigest = o.source ? await o.source.digest() : undefined;
  if (!o.force) {
    if (!sourceDigest)
      throw new UsageError(
        "the quality gate needs the source the checks ran on: pass a source, or --force",
      );
    requireChecksPassed(sourceDigest, o.checksFunction ?? "ci");
  }
  const container: Container =
    o.container ??
    (o.source as NonNullable<typeof o.source>).dockerBuild({ dockerfile: o.dockerfile });
  if (target === "fly") return deployFly({ ...o, app, container, sourceDigest, health });
  if (o.port === undefined)
    throw new UsageError("the docker target needs --port (the public port of the app)");
  return deployDocker({
    app,
    container,
    sourceDigest,
    port: checkPort("--port", o.port),
    appPort: o.appPort === undefined ? undefined : checkPort("--app-port", o.appPort),
    hostIp: o.hostIp ?? "0.0.0.0",
    health,
    releaseCommand: releaseCommandArgs(o.releaseCommand),
    proxyImage: o.proxyImage,
  });
}

/**
 * The app's releases, newest first: id, image digest, source digest, time and state (live, superseded,
 * failed-health, failed, rolled-back).
 *
 * @example
 * \@func() async releases(app: string): Promise<string> { return formatReleases(await releases({ app })) }
 */
export async function releases(o: { app: string; target?: DeployTarget }): Promise<Release[]> {
  const app = checkAppName(o.app);
  return targetOf(o.target) === "fly" ? releasesFly(app) : releasesDocker(app);
}

/**
 * Go back to the previous good release (or `to`) through the same health-checked switch as a deploy.
 *
 * @example
 * \@func() async rollback(app: string, to?: string): Promise<string> {
 *   const r = await rollback({ app, to });
 *   return `release ${r.release.id} is live again`;
 * }
 */
export async function rollback(o: RollbackOptions): Promise<DeployResult> {
  const target = targetOf(o.target);
  const app = checkAppName(o.app);
  const health: HealthSettings | undefined =
    o.health === undefined || o.health === ""
      ? undefined
      : parseHealth(o.health, {
          timeout: o.healthTimeout,
          retries: o.healthRetries,
          body: o.healthBody,
        });
  if (target === "fly") return rollbackFly({ ...o, app, health });
  return rollbackDocker({ app, to: o.to, health, proxyImage: o.proxyImage });
}

/** Releases as a table a person reads (`gantry call releases`). */
export function formatReleases(list: Release[]): string {
  if (list.length === 0) return "no releases";
  const rows = list.map((r) => [
    r.id,
    r.state,
    r.createdAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    short(r.imageDigest),
    r.sourceDigest ? short(r.sourceDigest) : "-",
    r.reason ?? "",
  ]);
  const head = ["ID", "STATE", "CREATED", "IMAGE", "SOURCE", "NOTE"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function short(digest: string): string {
  return digest === "" ? "-" : digest.replace(/^sha256:/, "sha256:").slice(0, 19);
}

function targetOf(t: string | undefined): DeployTarget {
  if (t === undefined || t === "docker" || t === "fly") return t ?? "docker";
  throw new UsageError(`unknown deploy target ${JSON.stringify(t)}: use docker or fly`, {
    hint: "kubernetes is designed but not implemented yet (docs/deploy.md)",
  });
}
