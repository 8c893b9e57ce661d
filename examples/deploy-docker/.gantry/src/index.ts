// Deploy a small HTTP app with Gantry's docker target: checks, deploy with health checks, releases and rollback.
import { dag, Directory, object, func, argument } from "@dagger.io/dagger";
import { deploy, releases, rollback, formatReleases, recordChecksPassed } from "gantry";

/** The project's source as every function sees it: the same files give the same digest to `ci` and `deploy`. */
const IGNORE = [".gantry", "node_modules"];

/** Checks and deploys of the deploy-docker example. */
@object()
export class DeployDocker {
  image: string;

  /**
   * @param image the Node image the app is built on and its tests run in
   */
  constructor(image: string = "node:22-bookworm-slim") {
    this.image = image;
  }

  /** Run the tests; when they pass, record it so `deploy` of this same source passes the quality gate. */
  @func()
  async ci(@argument({ defaultPath: ".", ignore: IGNORE }) source: Directory): Promise<string> {
    await dag
      .container()
      .from(this.image)
      .withDirectory("/app", source)
      .withWorkdir("/app")
      .withExec(["node", "--test", "test/"])
      .sync();
    const digest = await recordChecksPassed(source, "ci");
    return `checks passed for ${digest}`;
  }

  /**
   * Build the app and deploy it as a new release behind the app's proxy, health-checked, with automatic rollback.
   *
   * @param target docker (this engine) or fly
   * @param app the app's name
   * @param port the public port (docker)
   * @param health health checks: /path (asked of the new release before traffic moves) or http(s):// URLs (after)
   * @param healthTimeout how long the health checks may take
   * @param healthRetries attempts per health URL before giving up
   * @param healthBody text every health answer must contain
   * @param releaseCommand run in the new image before traffic moves (migrations)
   * @param force deploy even if `ci` has not passed for this source
   * @param proxyImage the nginx image of the proxy (docker)
   */
  @func()
  async deploy(
    @argument({ defaultPath: ".", ignore: IGNORE }) source: Directory,
    target: string = "docker",
    app: string = "deploy-docker",
    port: number = 8080,
    health: string = "/healthz",
    healthTimeout: string = "45s",
    healthRetries?: number,
    healthBody?: string,
    releaseCommand?: string,
    force: boolean = false,
    proxyImage?: string,
  ): Promise<string> {
    const container = source.dockerBuild({ buildArgs: [{ name: "BASE", value: this.image }] });
    const r = await deploy({
      target: target as "docker" | "fly",
      app,
      source,
      container,
      port,
      health,
      healthTimeout,
      healthRetries,
      healthBody,
      releaseCommand,
      force,
      proxyImage,
    });
    const t = r.timings;
    // A first deploy starts the proxy: nothing is drained, and no drain time is given.
    const drain = t.drain === undefined ? "" : `, drain ${t.drain} ms`;
    return `release ${r.release.id} of ${app} is live at ${r.url} (switch ${t.switch} ms${drain})`;
  }

  /** The app's releases, newest first. */
  @func()
  async releases(app: string = "deploy-docker", target: string = "docker"): Promise<string> {
    return formatReleases(await releases({ app, target: target as "docker" | "fly" }));
  }

  /**
   * Go back to the previous good release, or the one named, through the same health-checked switch.
   *
   * @param to the release to go back to (r3, or 3)
   */
  @func()
  async rollback(
    app: string = "deploy-docker",
    to?: string,
    target: string = "docker",
  ): Promise<string> {
    const r = await rollback({ app, to, target: target as "docker" | "fly" });
    return `release ${r.release.id} of ${app} is live again at ${r.url} (was ${r.previous ?? "nothing"})`;
  }
}
