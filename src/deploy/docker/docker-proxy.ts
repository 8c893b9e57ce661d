// The app's proxy: nginx on the deployment network, publishing the app's public port. Traffic moves by rewriting its
// config and `nginx -s reload`: new workers take new connections while the old ones finish theirs, so no request is
// dropped; the switch is done once the old workers have exited.
import type { DeployedContainer, DeploymentRuntime } from "../../engine/api/index.js";
import { DeployError, ImageError, NotFoundError } from "../../errors.js";
import { probe } from "../health-check.js";
import { DEPLOY_LABELS, networkName, proxyName } from "./docker-names.js";
import {
  NGINX_CONF,
  NGINX_START,
  NGINX_TEST,
  nginxConfig,
  reloadAndWatch,
  WORKER_SHUTDOWN_SEC,
} from "./nginx-config.js";

export interface ProxySettings {
  app: string;
  image: string;
  port: number;
  hostIp: string;
  labels: Record<string, string>;
  signal: AbortSignal;
}

/** What a switch took: until new workers served (`switchMs`) and until the old ones were gone (`drainMs`). */
export interface SwitchTiming {
  switchMs: number;
  drainMs: number;
}

/** The proxy of one app on one engine. */
export class DockerProxy {
  constructor(
    private readonly rt: DeploymentRuntime,
    private readonly s: ProxySettings,
  ) {}

  /** The proxy's image reference. */
  get image(): string {
    return this.s.image;
  }

  /**
   * The proxy's image on the engine, pulled when missing. Its failure says how to name another image: offline,
   * nginx:stable cannot be pulled, and the pull's own hint knows nothing of the proxy.
   */
  async ensureImage(): Promise<void> {
    try {
      await this.rt.ensureImage(this.s.image, this.s.signal);
    } catch (e) {
      if (!(e instanceof ImageError || e instanceof NotFoundError)) throw e;
      throw new DeployError(`cannot get the proxy image of app ${this.s.app}: ${e.message}`, {
        cause: e,
        hint:
          `name an nginx image this engine has (docker images): set GANTRY_DEPLOY_PROXY_IMAGE=REF, or pass ` +
          `--proxy-image=REF where the deploy function has that flag; or make ${this.s.image} available ` +
          `(docker pull / docker load)`,
      });
    }
  }

  /** The proxy container, when the app has one. */
  async find(): Promise<DeployedContainer | undefined> {
    const found = await this.rt.list({ ...this.s.labels, [DEPLOY_LABELS.role]: "proxy" });
    return found[0];
  }

  /** A proxy made for another port cannot take this one without downtime: say so instead of moving it. */
  checkPort(proxy: DeployedContainer): void {
    const port = Number(proxy.labels[DEPLOY_LABELS.port]);
    if (port !== this.s.port)
      throw new DeployError(
        `app ${this.s.app} is served on port ${port}, not ${this.s.port}: changing the public port would drop traffic`,
        {
          hint: `deploy with --port=${port}, or remove the app's containers (label ${DEPLOY_LABELS.app}=${this.s.app}) to start over`,
        },
      );
  }

  /** First deploy: start nginx already pointing at the release, and wait until its port accepts connections. */
  async create(release: string, upstream: string): Promise<DeployedContainer> {
    await this.ensureImage();
    const proxy = await this.rt.start({
      name: proxyName(this.s.app),
      image: this.s.image,
      network: networkName(this.s.app),
      labels: {
        ...this.s.labels,
        [DEPLOY_LABELS.role]: "proxy",
        [DEPLOY_LABELS.port]: String(this.s.port),
      },
      entrypoint: [],
      cmd: NGINX_START,
      publish: [{ backend: 80, frontend: this.s.port, hostIp: this.s.hostIp }],
      files: [{ path: NGINX_CONF, contents: nginxConfig({ app: this.s.app, release, upstream }) }],
      signal: this.s.signal,
    });
    await this.rt.keepRunning(proxy.id);
    const at = proxy.hostPorts["80/tcp"];
    if (at) await waitListening(at.host, at.port, 15_000, async () => this.logsIfExited(proxy.id));
    return proxy;
  }

  /**
   * Point the proxy at `upstream`; `previous` is restored when nginx refuses the new config. A switch once begun is
   * not cut short by the run's cancellation (it is bounded by the old workers' shutdown timeout instead): cut
   * between the reload and its end, nobody would know which release serves, and a Ctrl-C during a public health
   * check must still move traffic back to the live release.
   */
  async switchTo(
    proxy: DeployedContainer,
    next: { release: string; upstream: string },
    previous: { release: string; upstream: string } | undefined,
  ): Promise<SwitchTiming> {
    const signal = AbortSignal.timeout((WORKER_SHUTDOWN_SEC + 30) * 1000);
    await this.rt.putFiles(proxy.id, [
      { path: NGINX_CONF, contents: nginxConfig({ app: this.s.app, ...next }) },
    ]);
    const test = await this.rt.exec(proxy.id, NGINX_TEST, signal);
    if (test.exitCode !== 0) {
      if (previous)
        await this.rt.putFiles(proxy.id, [
          { path: NGINX_CONF, contents: nginxConfig({ app: this.s.app, ...previous }) },
        ]);
      throw new DeployError(
        `nginx refused the config for release ${next.release}: ${(test.stderr || test.stdout).trim()}`,
        {
          hint: "traffic did not move; this is likely a bug in Gantry's proxy config, please report it",
        },
      );
    }
    const r = await this.rt.exec(proxy.id, reloadAndWatch(WORKER_SHUTDOWN_SEC + 10), signal);
    const [t0, up, gone] = r.stdout.trim().split(" ").map(Number);
    if (r.exitCode === 10)
      throw new DeployError(
        `nginx -s reload failed in ${proxyName(this.s.app)}: ${(r.stderr || r.stdout).trim()}`,
      );
    if (r.exitCode !== 0 || t0 === undefined || up === undefined || gone === undefined)
      throw new DeployError(
        `the proxy's old workers did not finish within ${WORKER_SHUTDOWN_SEC + 10}s after the reload to release ${next.release} (${(r.stderr || r.stdout).trim()})`,
      );
    return { switchMs: Math.round((up - t0) * 1000), drainMs: Math.round((gone - t0) * 1000) };
  }

  // A proxy that exited (a taken port, a bad config) explains itself with its own last lines.
  private async logsIfExited(id: string): Promise<string | undefined> {
    const st = await this.rt.state(id);
    if (st.running) return undefined;
    return `the proxy exited with code ${st.exitCode}:\n${await this.rt.logs(id, 20)}`;
  }
}

// Until nginx answers HTTP on host:port (any status: a TCP accept alone may be docker's port proxy, not nginx).
async function waitListening(
  host: string,
  port: number,
  timeoutMs: number,
  stop: () => Promise<string | undefined>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await probe(`http://${host}:${port}/`, { timeoutMs: 2_000 });
    if (o.ok || o.kind === "status" || o.kind === "body") return;
    const why = await stop();
    if (why) throw new DeployError(why);
    if (Date.now() > deadline)
      throw new DeployError(
        `the proxy did not answer on ${host}:${port} within ${timeoutMs / 1000}s`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
