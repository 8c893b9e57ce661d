// Issue 12's bar for the docker target, through the real CLI and the example module on the real engine, with real
// nginx in front: deploy v1, a release that fails its health check (v1 keeps serving), v3, then rollback to v1 — all
// under load, with zero failed requests. Also: the quality gate, a failing release command, labels, and the history
// read back by a separate CLI process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { docker, freePort, NODE, runCommand } from "../helpers/test-session.js";
import { startLoad, type LoadReport } from "../helpers/load-generator.js";
import { removeDeployedApp } from "../helpers/deploy-app.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");
const WORK = mkdtempSync(path.join(os.tmpdir(), "gantry-deploy-docker-"));
const DIR = path.join(WORK, "deploy-docker");
cpSync(path.join(ROOT, "examples/deploy-docker"), DIR, { recursive: true });
const APP = `itest-${process.pid}-${Date.now().toString(36)}`;
const PROXY_IMAGE = "gantry-test/nginx:bookworm";
let PORT = 0;

function gantry(args: string[]) {
  return runCommand("node", [BIN, "call", `--image=${NODE}`, ...args], {
    cwd: DIR,
    env: { GANTRY_STATE_DIR: path.join(WORK, "state"), GANTRY_DEPLOY_PROXY_IMAGE: PROXY_IMAGE },
  });
}

function setVersion(v: string): void {
  writeFileSync(path.join(DIR, "VERSION"), `${v}\n`);
}

async function ciThenDeploy(extra: string[] = []) {
  const ci = await gantry(["ci"]);
  expect(ci.status, ci.out).toBe(0);
  return gantry([
    "deploy",
    `--app=${APP}`,
    `--port=${PORT}`,
    "--health=/healthz",
    "--health-timeout=8s",
    ...extra,
  ]);
}

async function served(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${PORT}/`);
  return (await res.text()).trim();
}

describe("deploy on docker (example module, real CLI, nginx proxy)", () => {
  beforeAll(async () => {
    PORT = await freePort();
  });
  afterAll(() => removeDeployedApp(APP));

  it("deploys, refuses a bad release without dropping a request, deploys again, rolls back; zero failed requests", async () => {
    // The quality gate: nothing recorded for this source yet.
    setVersion("v1");
    const refused = await gantry(["deploy", `--app=${APP}`, `--port=${PORT}`]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("deploy refused by the quality gate");
    expect(refused.stderr).toContain("gantry call ci");

    const v1 = await ciThenDeploy();
    expect(v1.status, v1.out).toBe(0);
    expect(v1.stdout).toContain(`release r1 of ${APP} is live at http://127.0.0.1:${PORT}`);
    expect(v1.stdout).not.toContain("drain"); // a first deploy starts the proxy: nothing was drained
    expect(await served()).toBe("hello from v1");

    const marks = { v3Start: 0, v3End: 0, backStart: 0, backEnd: 0 };
    const load = startLoad(`http://127.0.0.1:${PORT}/`);
    await load.waitRequests(50);

    // r2: its /healthz answers 500. Traffic never moves; the release is removed; the error names the URL and how.
    setVersion("v2-broken");
    const bad = await ciThenDeploy();
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      `release r2 of ${APP} failed its health check; traffic stays on release r1`,
    );
    expect(bad.stderr).toMatch(
      /\/healthz \(http:\/\/127\.0\.0\.1:\d+\/healthz\): answered status 500/,
    );
    expect(bad.stderr).toContain("app v2-broken listening on 8080"); // the new release's own last lines
    expect(docker(["ps", "-aq", "--filter", `name=gantry-deploy-${APP}-r2`]).trim()).toBe("");
    await load.waitRequests(50);
    expect(await served()).toBe("hello from v1");

    // r3 goes live, with a release command that runs in the new image first.
    setVersion("v3");
    marks.v3Start = Date.now();
    const v3 = await ciThenDeploy(["--release-command=node migrate.js"]);
    marks.v3End = Date.now();
    expect(v3.status, v3.out).toBe(0);
    expect(v3.out).toContain("migrations: nothing to do");
    expect(v3.stdout).toContain(`release r3 of ${APP} is live`);
    expect(v3.stdout).toMatch(/\(switch \d+ ms, drain \d+ ms\)/);
    await load.waitRequests(50);
    expect(await served()).toBe("hello from v3");

    // A release command that fails stops the deploy before any container of the release serves.
    setVersion("v4");
    const migrateFails = await ciThenDeploy(["--release-command=echo migrating; exit 3"]);
    expect(migrateFails.status).toBe(1);
    expect(migrateFails.stderr).toContain(
      "exited with code 3; the deploy stopped and traffic did not move",
    );
    expect(migrateFails.stderr).toContain("migrating");
    expect(await served()).toBe("hello from v3");

    marks.backStart = Date.now();
    const back = await gantry(["rollback", `--app=${APP}`, "--to=r1"]);
    marks.backEnd = Date.now();
    expect(back.status, back.out).toBe(0);
    expect(back.stdout).toContain(`release r1 of ${APP} is live again`);
    await load.waitRequests(50);
    expect(await served()).toBe("hello from v1");

    const report: LoadReport = await load.stop();
    console.log(
      `[deploy-docker] ${report.requests} requests, ${report.failures.length} failed ${JSON.stringify(report.failures)}, ${report.keepAliveRetries} keep-alive retries; served: ${phases(report.bodies.map((b) => b.body)).join(" → ")}`,
    );
    expect(report.failures).toEqual([]);
    expect(report.requests).toBeGreaterThan(200);
    // Between two commands only the live release serves; while a switch runs, both may (old workers finish theirs).
    const between = (from: number, to: number) => [
      ...new Set(report.bodies.filter((b) => b.at > from && b.at < to).map((b) => b.body)),
    ];
    expect(between(0, marks.v3Start)).toEqual(["hello from v1"]);
    expect(between(marks.v3End, marks.backStart)).toEqual(["hello from v3"]);
    expect(between(marks.backEnd, Infinity)).toEqual(["hello from v1"]);
    expect(report.bodies.some((b) => b.body.includes("v2-broken") || b.body.includes("v4"))).toBe(
      false,
    );

    // The history, read by another CLI process: newest first, each release in its final state.
    const rel = await gantry(["releases", `--app=${APP}`]);
    expect(rel.status, rel.out).toBe(0);
    const rows = rel.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/).slice(0, 2).join(" "));
    expect(rows).toEqual(["r4 failed", "r3 rolled-back", "r2 failed-health", "r1 live"]);
    expect(rel.stdout).toMatch(/r1\s+live\s+\S+ \S+\s+sha256:[0-9a-f]{12}\s+sha256:[0-9a-f]{12}/);
    // The notes say who replaced whom: the live release's is not a leftover of an earlier rollback.
    expect(rel.stdout).toMatch(/r3\s+rolled-back\s.*replaced by a rollback to r1/);
    expect(rel.stdout).toMatch(/r1\s+live\s.*live again by a rollback from r3/);

    // Every container and the network carry the app's label; what serves restarts with the engine.
    const names = docker([
      "ps",
      "-a",
      "--filter",
      `label=gantry.deploy.app=${APP}`,
      "--format",
      "{{.Names}}",
    ]);
    expect(names.split("\n").filter(Boolean).sort()).toEqual([
      `gantry-deploy-${APP}-proxy`,
      `gantry-deploy-${APP}-r1`,
    ]);
    const net = docker([
      "network",
      "inspect",
      `gantry-deploy-${APP}`,
      "--format",
      "{{json .Labels}}",
    ]);
    expect(JSON.parse(net)).toMatchObject({ "gantry.deploy.app": APP });
    for (const n of names.split("\n").filter(Boolean))
      expect(docker(["inspect", n, "--format", "{{.HostConfig.RestartPolicy.Name}}"]).trim()).toBe(
        "unless-stopped",
      );
    // six real deploys with image builds: about 2 minutes alone, more on a busy machine
  }, 600_000);
});

// Consecutive runs of one body collapsed: the versions in the order they served.
function phases(bodies: string[]): string[] {
  const out: string[] = [];
  for (const b of bodies) if (out[out.length - 1] !== b) out.push(b);
  return out;
}
