// The fly target: the image is pushed to Fly's registry, `flyctl deploy --image` (in a container, the token as a
// secret) makes the release with Fly's own strategy and health checks, then Gantry checks the public URLs (tolerating
// DNS that has not propagated yet) and, when they fail, redeploys the image that served before: Fly has no rollback
// command. Release commands are Fly's own (`[deploy] release_command` in fly.toml).
import { dag, type Container, type Secret } from "../../sdk/index.js";
import { deployRunContext, deployStep } from "../../engine/api/index.js";
import { DeployError, UnsupportedError, UsageError } from "../../errors.js";
import type { HealthSettings } from "../deploy-options.js";
import type { DeployOptions, DeployResult, RollbackOptions } from "../deploy-types.js";
import {
  findRelease,
  liveRelease,
  nextReleaseId,
  previousGood,
  ReleaseHistory,
  rememberHealth,
  savedHealth,
  type Release,
} from "../release-history.js";
import { healthError, waitHealthy } from "../wait-healthy.js";
import { previousImage } from "./fly-releases.js";

const DEFAULT_FLYCTL_IMAGE = "flyio/flyctl:latest";

type FlyInput = Omit<DeployOptions, "health"> & {
  app: string;
  container: Container;
  sourceDigest?: string;
  health: HealthSettings;
};

/** Runs flyctl commands in its container, each run for real (never from cache), each recorded for the result. */
class Flyctl {
  readonly ran: { args: string[]; stdout: string }[] = [];
  private n = 0;
  constructor(
    private readonly ctr: Container,
    private readonly runId: string,
  ) {}

  async run(args: string[]): Promise<string> {
    const stdout = await deployStep(`flyctl ${args.join(" ")}`, () =>
      this.ctr
        .withEnvVariable("GANTRY_DEPLOY_NONCE", `${this.runId}-${++this.n}`)
        .withExec(args, { useEntrypoint: true })
        .stdout(),
    );
    this.ran.push({ args, stdout });
    return stdout;
  }
}

// The flyctl container: the image's entrypoint is flyctl, FLY_API_TOKEN a secret variable, fly.toml's folder mounted.
function flyctlFor(o: Pick<DeployOptions, "flyToken" | "flyctl" | "flyConfig">): Flyctl {
  const run = deployRunContext("deploy");
  if (!o.flyToken)
    throw new UsageError("the fly target needs the API token as a secret", {
      hint: "pass --fly-token=env:FLY_API_TOKEN",
    });
  let ctr = (
    o.flyctl ?? dag.container().from(run.flyctlImage ?? DEFAULT_FLYCTL_IMAGE)
  ).withSecretVariable("FLY_API_TOKEN", o.flyToken);
  if (o.flyConfig) ctr = ctr.withDirectory("/gantry-fly", o.flyConfig).withWorkdir("/gantry-fly");
  return new Flyctl(ctr, run.runId);
}

// Paths mean the app's own domain on Fly (`/healthz` → https://<app>.fly.dev/healthz).
function flyUrls(app: string, h: HealthSettings): { label: string; url: string }[] {
  return [...h.paths.map((p) => `https://${app}.fly.dev${p}`), ...h.urls].map((u) => ({
    label: u,
    url: u,
  }));
}

function historyOf(app: string): ReleaseHistory {
  const run = deployRunContext("deploy");
  if (!run.stateDir)
    throw new UnsupportedError(
      "deploy needs Gantry's state dir, and this run was opened without one",
    );
  return new ReleaseHistory(run.stateDir, run.projectDir, "fly", app);
}

/** Push, `flyctl deploy --image`, check the public URLs, redeploy the previous image when they fail. */
export async function deployFly(o: FlyInput): Promise<DeployResult> {
  if (o.releaseCommand)
    throw new UsageError("on the fly target the release command is Fly's own", {
      hint: 'set it in fly.toml ([deploy] release_command = "…") and pass its folder with --fly-config',
    });
  const token = o.flyToken as Secret;
  const fly = flyctlFor(o);
  const store = historyOf(o.app);
  const unlock = store.lock();
  try {
    const h = store.read(o.app, "fly");
    const t0 = Date.now();
    const id = nextReleaseId(h);
    const registry = o.flyRegistry ?? "registry.fly.io";
    const rel: Release = {
      id,
      image: "",
      imageDigest: "",
      sourceDigest: o.sourceDigest,
      createdAt: new Date().toISOString(),
      state: "deploying",
    };
    h.releases.push(rel);
    store.write(h);
    try {
      const ref = `${registry}/${o.app}:gantry-${id}`;
      const pushed = await o.container.withRegistryAuth(registry, "x", token).publish(ref);
      rel.image = pushed;
      rel.imageDigest = pushed.slice(pushed.indexOf("@") + 1);
      store.write(h);
      const before = previousImage(
        await fly.run(["releases", "--app", o.app, "--image", "--json"]),
      );
      await fly.run([
        "deploy",
        "--app",
        o.app,
        "--image",
        pushed,
        "--strategy",
        o.strategy ?? "bluegreen",
      ]);
      await checkOrRevert(fly, o.app, rel, o.health, before);
      const live = liveRelease(h);
      if (live) live.state = "superseded";
      rel.state = "live";
      rel.liveSince = new Date().toISOString();
      rememberHealth(h, o.health);
      store.write(h);
      return {
        app: o.app,
        target: "fly",
        release: rel,
        previous: live?.id,
        url: `https://${o.app}.fly.dev`,
        timings: { total: Date.now() - t0 },
        flyctl: fly.ran,
      };
    } catch (e) {
      if (rel.state === "deploying") {
        rel.state =
          e instanceof DeployError && /health check/.test(e.message) ? "failed-health" : "failed";
        rel.reason = (e instanceof Error ? e.message : String(e)).split("\n")[0];
        store.write(h);
      }
      throw e;
    }
  } finally {
    unlock();
  }
}

// Gantry's multi-URL health gate after Fly's deploy; on failure the image that served before goes back.
async function checkOrRevert(
  fly: Flyctl,
  app: string,
  rel: Release,
  health: HealthSettings,
  before: string | undefined,
): Promise<void> {
  const targets = flyUrls(app, health);
  if (targets.length === 0) return;
  const res = await deployStep(`health check ${targets.map((t) => t.label).join(", ")}`, () =>
    waitHealthy(targets, {
      timeoutMs: health.timeoutMs,
      retries: health.retries,
      bodyMatch: health.bodyMatch,
      signal: deployRunContext("deploy").signal,
      intervalMs: 1000,
    }),
  );
  if (res.ok) return;
  if (before) await fly.run(["deploy", "--app", app, "--image", before, "--strategy", "immediate"]);
  throw healthError(
    `release ${rel.id} of ${app}`,
    res,
    health.bodyMatch,
    "(on Fly: see `fly logs --app " + app + "`)",
    before
      ? `the previous image ${before} was deployed again`
      : "no earlier image was known to go back to",
  );
}

/** Gantry's record of the app's Fly releases (this project's state dir), newest first. */
export async function releasesFly(app: string): Promise<Release[]> {
  return [...historyOf(app).read(app, "fly").releases].reverse();
}

/** Redeploy an older release's image (Fly has no rollback command), then the same health gate. */
export async function rollbackFly(
  o: Omit<RollbackOptions, "health"> & { app: string; health?: HealthSettings },
): Promise<DeployResult> {
  const fly = flyctlFor(o);
  const store = historyOf(o.app);
  const unlock = store.lock();
  try {
    const h = store.read(o.app, "fly");
    const t0 = Date.now();
    const target = o.to ? findRelease(h, o.to) : previousGood(h);
    if (!target || target.state === "live" || !target.image)
      throw new DeployError(
        `app ${o.app} has no release ${o.to ?? "before the live one"} to roll back to on fly`,
        {
          hint: `releases: ${h.releases.map((r) => `${r.id} (${r.state})`).join(", ") || "none"}`,
        },
      );
    const live = liveRelease(h);
    await fly.run(["deploy", "--app", o.app, "--image", target.image, "--strategy", "bluegreen"]);
    const health = o.health ?? savedHealth(h);
    if (health) await checkOrRevert(fly, o.app, target, health, live?.image);
    if (live) {
      live.state = "rolled-back";
      live.reason = `rolled back to ${target.id}`;
    }
    target.state = "live";
    target.liveSince = new Date().toISOString();
    store.write(h);
    return {
      app: o.app,
      target: "fly",
      release: target,
      previous: live?.id,
      url: `https://${o.app}.fly.dev`,
      timings: { total: Date.now() - t0 },
      flyctl: fly.ran,
    };
  } finally {
    unlock();
  }
}
