// Deploys that fail or are interrupted leave nothing of the release that never served: no container, no image tag,
// on a first deploy no proxy or network, and the history says failed. The live release is never touched. Through
// the real CLI and the example module on the real engine, with real nginx in front (as deploy-docker.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUSYBOX, docker, freePort, NODE, runCommand } from "../helpers/test-session.js";
import { removeDeployedApp } from "../helpers/deploy-app.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");
const WORK = mkdtempSync(path.join(os.tmpdir(), "gantry-deploy-failures-"));
const DIR = path.join(WORK, "deploy-docker");
cpSync(path.join(ROOT, "examples/deploy-docker"), DIR, { recursive: true });
const ID = `${process.pid}-${Date.now().toString(36)}`;
const APP = `ifail-${ID}`;
const OTHER = `ifail2-${ID}`;
const HOLDER = `ifail-holder-${ID}`;
const ENV = {
  GANTRY_STATE_DIR: path.join(WORK, "state"),
  GANTRY_DEPLOY_PROXY_IMAGE: "gantry-test/nginx:bookworm",
};
let PORT = 0;

function gantry(args: string[], env: Record<string, string> = {}) {
  return runCommand("node", [BIN, "call", `--image=${NODE}`, ...args], {
    cwd: DIR,
    env: { ...ENV, ...env },
  });
}

function setVersion(v: string): void {
  writeFileSync(path.join(DIR, "VERSION"), `${v}\n`);
}

/** Names and states of the app's containers; its network; its image tags. */
function leftovers(app: string): { containers: string[]; network: boolean; tags: string[] } {
  const containers = docker([
    "ps",
    "-a",
    "--filter",
    `label=gantry.deploy.app=${app}`,
    "--format",
    "{{.Names}}",
  ])
    .split("\n")
    .filter(Boolean)
    .sort();
  const network = docker(["network", "ls", "-q", "--filter", `name=^gantry-deploy-${app}$`]).trim();
  const tags = docker(["images", `gantry-deploy/${app}`, "--format", "{{.Tag}}"])
    .split("\n")
    .filter(Boolean)
    .sort();
  return { containers, network: network !== "", tags };
}

async function releaseRows(app: string): Promise<string[]> {
  const rel = await gantry(["releases", `--app=${app}`]);
  expect(rel.status, rel.out).toBe(0);
  return rel.stdout
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(/\s+/).slice(0, 2).join(" "));
}

describe("deploy on docker: failed and interrupted deploys clean up", () => {
  beforeAll(async () => {
    PORT = await freePort();
  });
  // Each on its own: one failing clean-up (a run of an older Gantry leaves more behind) must not skip the others.
  afterAll(() => {
    for (const clean of [
      () => removeDeployedApp(APP),
      () => removeDeployedApp(OTHER),
      () => docker(["rm", "-f", HOLDER]),
    ])
      try {
        clean();
      } catch (e) {
        console.warn(`[deploy-docker-failures] clean-up: ${String(e)}`);
      }
  });

  it("an unavailable proxy image fails before the build, naming GANTRY_DEPLOY_PROXY_IMAGE and --proxy-image", async () => {
    setVersion("v1");
    const r = await gantry(
      ["deploy", `--app=${APP}`, `--port=${PORT}`, "--health=/healthz", "--force"],
      { GANTRY_DEPLOY_PROXY_IMAGE: `gantry-test/no-such-proxy:${ID}` },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot get the proxy image of app ${APP}`);
    expect(r.stderr).toMatch(/Hint: .*GANTRY_DEPLOY_PROXY_IMAGE=REF.*--proxy-image=REF/);
    expect(r.out).not.toContain("build release"); // it failed fast: nothing was built or started
    expect(leftovers(APP)).toEqual({ containers: [], network: false, tags: [] });
  }, 120_000);

  it("a taken public port removes the release, its image tag, the proxy and the network; history says failed", async () => {
    const port = await freePort();
    docker(["run", "-d", "--name", HOLDER, "-p", `${port}:80`, BUSYBOX, "sleep", "600"]);
    setVersion("v1");
    const r = await gantry([
      "deploy",
      `--app=${OTHER}`,
      `--port=${port}`,
      "--health=/healthz",
      "--force",
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`is port ${port} already taken`);
    expect(leftovers(OTHER)).toEqual({ containers: [], network: false, tags: [] });
    expect(await releaseRows(OTHER)).toEqual(["r1 failed"]);
  }, 300_000);

  it("Ctrl-C during the health check removes the new release and leaves the live one serving", async () => {
    setVersion("v1");
    const v1 = await gantry([
      "deploy",
      `--app=${APP}`,
      `--port=${PORT}`,
      "--health=/healthz",
      "--force",
    ]);
    expect(v1.status, v1.out).toBe(0);

    // r2's /healthz answers 500: with a minute to pass, it is still being checked when Ctrl-C comes.
    setVersion("v2-broken");
    const child = spawn(
      "node",
      [
        BIN,
        "call",
        `--image=${NODE}`,
        "deploy",
        `--app=${APP}`,
        `--port=${PORT}`,
        "--health=/healthz",
        "--health-timeout=60s",
        "--force",
      ],
      { cwd: DIR, env: { ...process.env, CI: "true", ...ENV }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    await new Promise<void>((resolve, reject) => {
      const seen = (d: Buffer) => {
        out += d.toString();
        if (out.includes("▶ health check release r2")) resolve();
      };
      child.stdout.on("data", seen);
      child.stderr.on("data", seen);
      void exited.then(() => reject(new Error(`gantry exited before the health check:\n${out}`)));
    });
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(out).toContain("stopping the run");

    // Right at exit, not later: r2's container and tag are gone, r1 still serves, the history says why.
    expect(leftovers(APP)).toEqual({
      containers: [`gantry-deploy-${APP}-proxy`, `gantry-deploy-${APP}-r1`],
      network: true,
      tags: ["r1"],
    });
    expect((await (await fetch(`http://127.0.0.1:${PORT}/`)).text()).trim()).toBe("hello from v1");
    const rel = await gantry(["releases", `--app=${APP}`]);
    expect(await releaseRows(APP)).toEqual(["r2 failed", "r1 live"]);
    expect(rel.stdout).toContain("the deploy was cancelled");
  }, 300_000);

  it("a public health check failing after the switch ends its step failed (✘); its release and tag go", async () => {
    setVersion("v3");
    const r = await gantry([
      "deploy",
      `--app=${APP}`,
      `--port=${PORT}`,
      "--health=/healthz,http://shop.invalid/",
      "--health-timeout=3s",
      "--force",
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("traffic moved back to release r1");
    expect(r.out).toMatch(/✘ health check http:\/\/shop\.invalid\//);
    expect(r.out).not.toMatch(/✔ health check http:\/\/shop\.invalid\//);
    expect(leftovers(APP)).toEqual({
      containers: [`gantry-deploy-${APP}-proxy`, `gantry-deploy-${APP}-r1`],
      network: true,
      tags: ["r1"],
    });
    expect((await (await fetch(`http://127.0.0.1:${PORT}/`)).text()).trim()).toBe("hello from v1");
  }, 300_000);

  it("a failing release command is named as a shell would quote it; its image tag goes", async () => {
    setVersion("v4");
    const r = await gantry([
      "deploy",
      `--app=${APP}`,
      `--port=${PORT}`,
      "--health=/healthz",
      "--release-command=echo migrating; exit 3",
      "--force",
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "release command `/bin/sh -c 'echo migrating; exit 3'` of release r4 exited with code 3",
    );
    expect(leftovers(APP).tags).toEqual(["r1"]);
    expect(await releaseRows(APP)).toEqual([
      "r4 failed",
      "r3 failed-health",
      "r2 failed",
      "r1 live",
    ]);
  }, 300_000);

  it("the next deploy removes the image tags an older Gantry kept for releases that never served", async () => {
    // r2 (cancelled) and r3 (failed-health) failed above; an older Gantry left their tags behind.
    for (const id of ["r2", "r3"])
      docker(["tag", `gantry-deploy/${APP}:r1`, `gantry-deploy/${APP}:${id}`]);
    expect(leftovers(APP).tags).toEqual(["r1", "r2", "r3"]);
    // Refused at once (another public port), after the app's leftovers were reconciled.
    const r = await gantry([
      "deploy",
      `--app=${APP}`,
      `--port=${PORT + 1}`,
      "--health=/healthz",
      "--force",
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`app ${APP} is served on port ${PORT}`);
    expect(leftovers(APP).tags).toEqual(["r1"]);
  }, 120_000);

  it("a rollback without --health runs the checks of the last deploy that went live, not of one that failed them", async () => {
    setVersion("v5");
    const v5 = await gantry([
      "deploy",
      `--app=${APP}`,
      `--port=${PORT}`,
      "--health=/healthz",
      "--force",
    ]);
    expect(v5.status, v5.out).toBe(0);
    // The release is the image `docker build` made, tagged: not saved and loaded again to drop Gantry's labels.
    const id = /release (r\d+) of/.exec(v5.stdout)?.[1];
    const tags = docker([
      "image",
      "inspect",
      `gantry-deploy/${APP}:${id}`,
      "--format",
      "{{json .RepoTags}}",
    ]);
    expect(JSON.parse(tags)).toContainEqual(expect.stringMatching(/^gantry-build:/));
    // Its checks cannot pass anywhere: every /healthz answers "ok".
    setVersion("v6");
    const bad = await gantry([
      "deploy",
      `--app=${APP}`,
      `--port=${PORT}`,
      "--health=/healthz",
      "--health-body=never-there",
      "--health-timeout=3s",
      "--force",
    ]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("failed its health check");
    // Back to r1 (superseded by v5's release), judged by v5's checks; with v6's it would fail as v6 did.
    const back = await gantry(["rollback", `--app=${APP}`]);
    expect(back.status, back.out).toBe(0);
    expect(back.stdout).toContain(`release r1 of ${APP} is live again`);
    expect((await (await fetch(`http://127.0.0.1:${PORT}/`)).text()).trim()).toBe("hello from v1");
  }, 300_000);
});
