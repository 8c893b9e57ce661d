// A Docker engine of a test's own, to stop and start without touching the shared one: its own socket, data root,
// exec root and pid file, inside its own network namespace (its bridges, iptables rules and published ports stay
// there), so a test can restart it. Processes that must reach its published ports run in that namespace too.
// Never start it outside its namespace: with `--bridge none` dockerd deletes the host's `docker0` link at startup
// (removeDefaultBridgeInterface), which is the shared engine's default bridge.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCommand } from "./test-session.js";

export interface PrivateEngine {
  /** DOCKER_HOST of the engine. */
  host: string;
  /** Run a command in the engine's network namespace. */
  run(
    cmd: string,
    args: string[],
    opts?: { cwd?: string; env?: Record<string, string> },
  ): ReturnType<typeof runCommand>;
  start(): Promise<void>;
  /** Stop the daemon (SIGTERM; its containers stop with it) and wait until it is gone. */
  stop(): Promise<void>;
  /** Copy images from the shared engine (there is no registry to pull from). */
  loadImages(images: string[]): Promise<void>;
  /** Stop it and remove its namespace and folders. */
  destroy(): Promise<void>;
}

/** Why a private engine cannot run here, or undefined when it can (root, dockerd, nsenter and ip). */
export function privateEngineUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (a network namespace and a second dockerd)";
  for (const bin of ["/usr/sbin/dockerd", "/usr/bin/nsenter", "/usr/sbin/ip"])
    if (!existsSync(bin)) return `needs ${bin}`;
  return undefined;
}

/** Make the namespace and folders; `start()` starts the daemon. */
export async function privateEngine(): Promise<PrivateEngine> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-engine-"));
  const ns = `gantry-${path.basename(dir).slice(-6)}`;
  const host = `unix://${dir}/docker.sock`;
  const pidFile = path.join(dir, "docker.pid");
  const must = async (cmd: string, args: string[]): Promise<string> => {
    const r = await runCommand(cmd, args);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.out}`);
    return r.stdout;
  };
  await must("ip", ["netns", "add", ns]);
  await must("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
  const inNs = (cmd: string, args: string[]): [string, string[]] => [
    "nsenter",
    [`--net=/run/netns/${ns}`, cmd, ...args],
  ];
  const until = async (what: string, ok: () => Promise<boolean>): Promise<void> => {
    for (const deadline = Date.now() + 90_000; !(await ok());) {
      if (Date.now() > deadline) throw new Error(`private engine: ${what} within 90s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const engine: PrivateEngine = {
    host,
    run: (cmd, args, opts) => runCommand(...inNs(cmd, args), opts),
    async start() {
      const log = openSync(path.join(dir, "dockerd.log"), "a");
      // mount namespace unchanged (nsenter --net only): dockerd needs the host's cgroup mounts
      const [cmd, args] = inNs("dockerd", [
        ...["-H", host, "--data-root", path.join(dir, "data")],
        ...["--exec-root", path.join(dir, "exec"), "--pidfile", pidFile, "--bridge", "none"],
      ]);
      spawn(cmd, args, { detached: true, stdio: ["ignore", log, log] }).unref();
      await until(
        "the daemon did not answer",
        async () => (await runCommand("docker", ["-H", host, "version"])).status === 0,
      );
    },
    async stop() {
      if (!existsSync(pidFile)) return;
      process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGTERM");
      await until("the daemon did not stop", async () => !existsSync(pidFile));
    },
    async loadImages(images) {
      await must("sh", ["-c", `docker save ${images.join(" ")} | docker -H ${host} load`]);
    },
    async destroy() {
      await engine.stop().catch(() => {});
      await runCommand("ip", ["netns", "del", ns]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return engine;
}
