// Clean-up for deploy tests: everything of one deployed app on an engine (containers, its network, release images).
import { docker } from "./test-session.js";

/** Remove the app's containers, network and `gantry-deploy/<app>` images; `host` is another engine's DOCKER_HOST. */
export function removeDeployedApp(app: string, host?: string): void {
  const d = (args: string[]): string => docker(host ? ["-H", host, ...args] : args);
  const ids = d(["ps", "-aq", "--filter", `label=gantry.deploy.app=${app}`])
    .split("\n")
    .filter(Boolean);
  if (ids.length) d(["rm", "-f", ...ids]);
  try {
    d(["network", "rm", `gantry-deploy-${app}`]);
  } catch {
    // never made
  }
  const images = d(["images", "-q", `gantry-deploy/${app}`])
    .split("\n")
    .filter(Boolean);
  if (images.length) d(["rmi", "-f", ...new Set(images)]);
}
