// The docker target: build, release command, the new release beside the live one, health gate, switch through the
// proxy, then the old release stops. Any failure before the switch leaves traffic where it was; a failure of the
// public URLs after it moves traffic back. Rollback is the same path from an older release's image.
import {
  closeAfter,
  deploymentRuntime,
  deployRunContext,
  deployStep,
  releaseImage,
} from "../../engine/api/index.js";
import type { DeploymentRuntime, ImageConfig } from "../../engine/api/index.js";
import type { Container } from "../../sdk/index.js";
import { DeployError, UnsupportedError } from "../../errors.js";
import type { HealthSettings } from "../deploy-options.js";
import type { DeployResult } from "../deploy-types.js";
import {
  findRelease,
  liveRelease,
  nextReleaseId,
  previousGood,
  ReleaseHistory,
  rememberHealth,
  savedHealth,
  type AppHistory,
  type Release,
} from "../release-history.js";
import { healthError, waitHealthy } from "../wait-healthy.js";
import {
  appLabels,
  DEPLOY_LABELS,
  networkName,
  releaseContainerName,
  releaseImageRef,
  releaseImageRepo,
} from "./docker-names.js";
import { DockerProxy, type SwitchTiming } from "./docker-proxy.js";
import {
  checkRelease,
  runReleaseCommand,
  startRelease,
  type ReleaseContext,
} from "./docker-release.js";

export interface DockerDeployInput {
  app: string;
  container: Container;
  sourceDigest?: string;
  port: number;
  appPort?: number;
  hostIp: string;
  health: HealthSettings;
  releaseCommand?: string[];
  proxyImage?: string;
}

const DEFAULT_PROXY_IMAGE = "nginx:stable";

// How long an interrupted run's close waits for the deploy to take its unfinished release down: a container stop
// with no grace period and a few engine calls, or a switch back that lets the proxy's old workers finish.
const CLEANUP_CAP_MS = 60_000;

type AppWork<T> = (a: {
  rt: DeploymentRuntime;
  store: ReleaseHistory;
  h: AppHistory;
  ctx: ReleaseContext;
  proxyImage?: string;
}) => Promise<T>;

/**
 * An app's history, runtime and labels on this engine, with its lock held while `fn` runs. Ctrl-C closes the run
 * without waiting for the function it runs; the close waits for this one, so its failure path (removing a release
 * that never served, recording it failed) finishes before the CLI exits.
 */
function withApp<T>(app: string, fn: AppWork<T>): Promise<T> {
  // registered before the work starts: outside a session closeAfter throws, and must not leave `work` unobserved
  let done!: (p: Promise<T>) => void;
  closeAfter(new Promise<T>((r) => (done = r)), CLEANUP_CAP_MS);
  const work = lockedApp(app, fn);
  done(work);
  return work;
}

async function lockedApp<T>(app: string, fn: AppWork<T>): Promise<T> {
  const run = deployRunContext("deploy");
  const rt = deploymentRuntime("deploy");
  if (!run.stateDir)
    throw new UnsupportedError(
      "deploy needs Gantry's state dir, and this run was opened without one",
    );
  const store = new ReleaseHistory(
    run.stateDir,
    run.projectDir,
    `docker-${await rt.engineId()}`,
    app,
  );
  const unlock = store.lock();
  try {
    const h = store.read(app, "docker");
    const ctx: ReleaseContext = {
      rt,
      app,
      labels: appLabels(app, run.projectDir),
      signal: run.signal,
    };
    await reconcile(ctx, store, h);
    return await fn({ rt, store, h, ctx, proxyImage: run.proxyImage });
  } finally {
    unlock();
  }
}

/** Deploy a new release of the app on the engine Gantry runs on. */
export async function deployDocker(o: DockerDeployInput): Promise<DeployResult> {
  return withApp(o.app, async ({ rt, store, h, ctx, proxyImage }) => {
    const t0 = Date.now();
    const timings: Record<string, number> = {};
    const proxy = new DockerProxy(rt, {
      app: o.app,
      image: o.proxyImage ?? proxyImage ?? DEFAULT_PROXY_IMAGE,
      port: o.port,
      hostIp: o.hostIp,
      labels: ctx.labels,
      signal: ctx.signal,
    });
    // Before anything is built or started: a proxy serving another port, or a proxy image this engine cannot get
    // (offline, no nginx:stable), fails in a second instead of after the build and the health checks.
    const existing = await proxy.find();
    if (existing) proxy.checkPort(existing);
    else await deployStep(`proxy image ${proxy.image}`, () => proxy.ensureImage());
    const id = nextReleaseId(h);
    const rel: Release = {
      id,
      image: releaseImageRef(o.app, id),
      imageDigest: "",
      sourceDigest: o.sourceDigest,
      createdAt: new Date().toISOString(),
      state: "deploying",
    };
    h.releases.push(rel);
    store.write(h);
    try {
      let t = Date.now();
      const built = await deployStep(`build release ${id}`, () =>
        releaseImage(o.container._state, rel.image),
      );
      timings.build = Date.now() - t;
      rel.imageDigest = built.id;
      rel.appPort = appPortOf(o.appPort, built.config);
      store.write(h);
      await rt.ensureNetwork(networkName(o.app), ctx.labels);
      if (o.releaseCommand) {
        t = Date.now();
        await runReleaseCommand(ctx, rel, o.releaseCommand);
        timings["release-command"] = Date.now() - t;
      }
      const r = await promote(ctx, store, h, rel, proxy, o.health, "deploy", timings);
      timings.total = Date.now() - t0;
      return {
        app: o.app,
        target: "docker",
        release: rel,
        previous: r.previous,
        url: urlOf(o.hostIp, o.port),
        timings,
      };
    } catch (e) {
      await discardRelease(ctx, store, h, rel, e);
      throw e;
    }
  });
}

/**
 * Releases a failed deploy could not take traffic back from (the switch back failed): the proxy may still route to
 * them, so their containers stay, recorded failed, for the next deploy's switch and reconcile.
 */
const stillRouted = new WeakSet<Release>();

/**
 * A deploy that failed, or was interrupted, before its release served: the release is recorded failed and goes
 * entirely — its containers, its image tag (nothing can roll back to a release that never served, so tags would only
 * pile up), and on a first deploy the proxy and network made for it. A live release is never touched.
 */
async function discardRelease(
  ctx: ReleaseContext,
  store: ReleaseHistory,
  h: AppHistory,
  rel: Release,
  e: unknown,
): Promise<void> {
  if (rel.state === "live") return; // it served: what failed came after (stopping the old release)
  // cancelled: said so, also over the health gate's "failed-health" (its checks were cut short, not failed)
  if (ctx.signal.aborted) {
    rel.state = "failed";
    rel.reason = `the deploy was cancelled (${firstLine(ctx.signal.reason)})`;
  } else if (rel.state === "deploying") {
    rel.state = "failed";
    rel.reason = firstLine(e);
  }
  const routed = stillRouted.has(rel);
  if (routed)
    rel.reason = `${rel.reason ?? "failed"}; traffic could not be moved back, so it was left running`;
  // Best effort, each on its own: the deploy's own error is what the person needs (a full disk refusing the history
  // must not hide it, nor stop the removals), and the next deploy's reconcile removes any container left here.
  const quietly = (p: Promise<unknown>) => p.catch(() => undefined);
  await quietly(Promise.resolve().then(() => store.write(h)));
  if (routed) return;
  for (const role of ["release", "release-command"])
    for (const c of await ctx.rt
      .list({ ...ctx.labels, [DEPLOY_LABELS.role]: role, [DEPLOY_LABELS.release]: rel.id })
      .catch(() => []))
      await quietly(ctx.rt.remove(c.id, 0));
  await quietly(ctx.rt.removeImageTag(rel.image));
  if (liveRelease(h)) return;
  for (const c of await ctx.rt
    .list({ ...ctx.labels, [DEPLOY_LABELS.role]: "proxy" })
    .catch(() => []))
    await quietly(ctx.rt.remove(c.id, 0));
  await quietly(ctx.rt.removeNetwork(networkName(ctx.app)));
}

/** Go back to an older release (the previous good one, or `to`) through the same health-checked switch. */
export async function rollbackDocker(o: {
  app: string;
  to?: string;
  health?: HealthSettings;
  proxyImage?: string;
}): Promise<DeployResult> {
  return withApp(o.app, async ({ rt, store, h, ctx, proxyImage }) => {
    const t0 = Date.now();
    const target = o.to ? findRelease(h, o.to) : previousGood(h);
    const known = h.releases.map((r) => `${r.id} (${r.state})`).join(", ") || "none";
    if (!target)
      throw new DeployError(
        o.to
          ? `app ${o.app} has no release ${o.to}`
          : `app ${o.app} has no earlier good release to roll back to`,
        {
          hint: `releases: ${known}; --to=rN goes back to a release that served (superseded or rolled-back)`,
        },
      );
    if (target.state === "live")
      throw new DeployError(`release ${target.id} of ${o.app} is already live`);
    if (target.state !== "superseded" && target.state !== "rolled-back")
      throw new DeployError(
        `release ${target.id} of ${o.app} never served (${target.state}); it cannot be rolled back to`,
        {
          hint: `releases: ${known}`,
        },
      );
    if (!(await rt.imageId(target.image)))
      throw new DeployError(
        `the image of release ${target.id} (${target.image}) is no longer on the engine`,
        {
          hint: "it was removed (docker image prune / rmi); deploy that source again instead",
        },
      );
    const health = o.health ?? savedHealth(h);
    if (!health)
      throw new DeployError("no health checks are known for this app", {
        hint: "pass --health=/PATH",
      });
    const proxy = new DockerProxy(rt, {
      app: o.app,
      image: o.proxyImage ?? proxyImage ?? DEFAULT_PROXY_IMAGE,
      port: 0,
      hostIp: "",
      labels: ctx.labels,
      signal: ctx.signal,
    });
    const existing = await proxy.find();
    if (!existing)
      throw new DeployError(
        `app ${o.app} has no proxy on this engine: nothing serves it to roll back`,
      );
    const port = Number(existing.labels[DEPLOY_LABELS.port]);
    const timings: Record<string, number> = {};
    const r = await promote(ctx, store, h, target, proxy, health, "rollback", timings);
    timings.total = Date.now() - t0;
    return {
      app: o.app,
      target: "docker",
      release: target,
      previous: r.previous,
      url: urlOf("", port),
      timings,
    };
  });
}

/** The history of the app on this engine (never takes the lock: reading is always allowed). */
export async function releasesDocker(app: string): Promise<Release[]> {
  const run = deployRunContext("releases");
  const rt = deploymentRuntime("releases");
  if (!run.stateDir)
    throw new UnsupportedError(
      "releases needs Gantry's state dir, and this run was opened without one",
    );
  const store = new ReleaseHistory(
    run.stateDir,
    run.projectDir,
    `docker-${await rt.engineId()}`,
    app,
  );
  return [...store.read(app, "docker").releases].reverse();
}

// Start `rel` beside the live release, check it, switch, check public URLs (moving back on failure), stop the old one.
async function promote(
  ctx: ReleaseContext,
  store: ReleaseHistory,
  h: AppHistory,
  rel: Release,
  proxy: DockerProxy,
  health: HealthSettings,
  mode: "deploy" | "rollback",
  timings: Record<string, number>,
): Promise<{ previous?: string }> {
  const live = liveRelease(h);
  const stays = live
    ? `traffic stays on release ${live.id}`
    : "nothing was serving, and nothing serves now";
  const t0 = Date.now();
  const ctr = await startRelease(ctx, rel);
  timings.start = Date.now() - t0;
  const back = live
    ? { release: live.id, upstream: `${releaseContainerName(ctx.app, live.id)}:${live.appPort}` }
    : undefined;
  /** Whether the proxy may route to the new release (a switch began and traffic was not moved back). */
  let routed = false;
  // Whatever fails from here (the proxy's start, a taken port, an interruption), a release that does not serve goes.
  try {
    try {
      timings.health = await checkRelease(
        ctx,
        rel,
        ctr,
        health,
        `${stays}; the new release was removed`,
      );
    } catch (e) {
      if (mode === "deploy") {
        rel.state = "failed-health";
        rel.reason = firstLine(e);
        store.write(h);
      }
      throw e;
    }
    const upstream = {
      release: rel.id,
      upstream: `${releaseContainerName(ctx.app, rel.id)}:${rel.appPort}`,
    };
    const existing = await proxy.find();
    let t = Date.now();
    let timing: SwitchTiming | undefined;
    routed = true; // from the switch's first write on, the proxy may send traffic to the new release
    await deployStep(`switch traffic to release ${rel.id}`, async () => {
      if (existing) timing = await proxy.switchTo(existing, upstream, back);
      else await proxy.create(rel.id, upstream.upstream);
    });
    timings.switch = timing?.switchMs ?? Date.now() - t;
    // A first deploy starts the proxy: no old workers, nothing drained, so no drain time to report.
    if (timing) timings.drain = timing.drainMs;
    if (health.urls.length > 0)
      // The failure is thrown inside the step, after traffic moved back, so the step ends failed (✘), not done.
      await deployStep(`health check ${health.urls.join(", ")}`, async () => {
        const res = await waitHealthy(
          health.urls.map((u) => ({ label: u, url: u })),
          {
            timeoutMs: health.timeoutMs,
            retries: health.retries,
            bodyMatch: health.bodyMatch,
            signal: ctx.signal,
          },
        );
        if (res.ok) return;
        const logs = await ctx.rt.logs(ctr.id, 30).catch(() => "");
        const proxyCtr = existing ?? (await proxy.find());
        if (back && proxyCtr) {
          await proxy.switchTo(proxyCtr, back, undefined);
          routed = false;
        }
        await ctx.rt.remove(ctr.id, 0);
        if (mode === "deploy") {
          rel.state = "failed-health";
          rel.reason = `public health check failed after the switch; traffic moved back`;
          store.write(h);
        }
        throw healthError(
          `release ${rel.id} of ${ctx.app}`,
          res,
          health.bodyMatch,
          logs,
          back
            ? `traffic moved back to release ${back.release}; the new release was removed`
            : "the new release was removed",
        );
      });
    await ctx.rt.keepRunning(ctr.id);
    if (live) {
      live.state = mode === "deploy" ? "superseded" : "rolled-back";
      live.reason = mode === "rollback" ? `replaced by a rollback to ${rel.id}` : undefined;
    }
    rel.state = "live";
    if (mode === "deploy") rememberHealth(h, health);
    // The note said why it stopped serving before (a rollback replaced it); serving again, that no longer holds.
    rel.reason =
      mode === "rollback" && live ? `live again by a rollback from ${live.id}` : undefined;
    rel.liveSince = new Date().toISOString();
    store.write(h);
    if (live) {
      t = Date.now();
      for (const c of await ctx.rt.list({
        ...ctx.labels,
        [DEPLOY_LABELS.role]: "release",
        [DEPLOY_LABELS.release]: live.id,
      }))
        await ctx.rt.remove(c.id, 10);
      timings.stop = Date.now() - t;
    }
    return { previous: live?.id };
  } catch (e) {
    if (rel.state !== "live") {
      // Traffic goes back to the live release before the new one is removed (a switch that failed halfway, a
      // keepRunning that failed after it): removing what the proxy routes to would leave nothing serving. With no
      // live release (a first deploy) the proxy goes with it (discardRelease). If moving back fails, it stays.
      if (routed && back) {
        const proxyCtr = await proxy.find().catch(() => undefined);
        const moved =
          proxyCtr !== undefined &&
          (await proxy.switchTo(proxyCtr, back, undefined).then(
            () => true,
            () => false,
          ));
        if (!moved) stillRouted.add(rel);
      }
      if (!stillRouted.has(rel)) await ctx.rt.remove(ctr.id, 0).catch(() => undefined);
    }
    throw e;
  }
}

// Leftovers of an interrupted deploy: a "deploying" release is failed, containers of releases not live are removed.
async function reconcile(ctx: ReleaseContext, store: ReleaseHistory, h: AppHistory): Promise<void> {
  const mine = ctx.labels[DEPLOY_LABELS.project];
  const other = (await ctx.rt.list({ [DEPLOY_LABELS.app]: ctx.app })).find(
    (c) => c.labels[DEPLOY_LABELS.project] !== mine,
  );
  if (other)
    throw new DeployError(
      `app name ${ctx.app} is taken on this engine by another project (container ${other.name})`,
      {
        hint: "choose another --app, or remove that app's containers if it is yours from another checkout",
      },
    );
  const interrupted: Release[] = [];
  for (const r of h.releases)
    if (r.state === "deploying") {
      r.state = "failed";
      r.reason = "the deploy was interrupted";
      interrupted.push(r);
    }
  if (interrupted.length > 0) store.write(h);
  const live = liveRelease(h);
  for (const c of await ctx.rt.list({ ...ctx.labels, [DEPLOY_LABELS.role]: "release" }))
    if (c.labels[DEPLOY_LABELS.release] !== live?.id) await ctx.rt.remove(c.id, 0);
  // A release that never served cannot be rolled back to: its image tag goes too (after its container, which holds
  // it). That includes the tags of failed releases an older Gantry kept: one listing finds them.
  const neverServed = new Set(
    h.releases
      .filter((r) => r.state === "failed" || r.state === "failed-health")
      .map((r) => r.image),
  );
  const tags = await ctx.rt.imageTags(releaseImageRepo(ctx.app)).catch(() => []);
  for (const tag of tags)
    if (neverServed.has(tag)) await ctx.rt.removeImageTag(tag).catch(() => undefined);
}

// The app's port inside the container: given, or the image's only EXPOSEd port.
function appPortOf(given: number | undefined, config: ImageConfig): number {
  if (given) return given;
  const tcp = config.exposedPorts
    .map((p) => p.split("/"))
    .filter(([, proto]) => !proto || proto === "tcp");
  if (tcp.length === 1) return Number(tcp[0]?.[0]);
  throw new DeployError(
    tcp.length === 0
      ? "the release image exposes no port, so Gantry cannot tell where the app listens"
      : `the release image exposes several ports (${config.exposedPorts.join(", ")}); which one serves HTTP?`,
    {
      hint: "pass --app-port=PORT (the port the app listens on inside its container), or EXPOSE it in the Dockerfile",
    },
  );
}

function urlOf(hostIp: string, port: number): string {
  return `http://${hostIp === "" || hostIp === "0.0.0.0" ? "127.0.0.1" : hostIp}:${port}`;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
}
