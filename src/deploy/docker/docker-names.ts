// Names and labels of a docker deployment: every container and the network carry `gantry.deploy.app=<app>`, so a
// person (`docker ps --filter label=gantry.deploy.app=shop`) and Gantry find all of an app's pieces the same way.
import { createHash } from "node:crypto";

export const DEPLOY_LABELS = {
  app: "gantry.deploy.app",
  /** proxy | release | release-command */
  role: "gantry.deploy.role",
  release: "gantry.deploy.release",
  /** Which project deployed it (a hash of its path): two projects cannot take one app name on an engine. */
  project: "gantry.deploy.project",
  /** The public port the proxy publishes. */
  port: "gantry.deploy.port",
} as const;

export function networkName(app: string): string {
  return `gantry-deploy-${app}`;
}

export function proxyName(app: string): string {
  return `gantry-deploy-${app}-proxy`;
}

export function releaseContainerName(app: string, release: string): string {
  return `gantry-deploy-${app}-${release}`;
}

/** The release's image, tagged on the engine so a rollback finds it after the build cache moved on. */
export function releaseImageRef(app: string, release: string): string {
  return `${releaseImageRepo(app)}:${release}`;
}

/** The repository every release image of the app is a tag of. */
export function releaseImageRepo(app: string): string {
  return `gantry-deploy/${app}`;
}

export function projectKey(projectDir: string): string {
  return createHash("sha256").update(projectDir).digest("hex").slice(0, 12);
}

export function appLabels(app: string, projectDir: string): Record<string, string> {
  return { [DEPLOY_LABELS.app]: app, [DEPLOY_LABELS.project]: projectKey(projectDir) };
}
