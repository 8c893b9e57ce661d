// Release history and serving survive a restart of the engine: on a Docker engine of the test's own (the shared one
// is never restarted), deploy a project `gantry init` set up, stop the daemon (its containers stop), start it again:
// the proxy and the live release come back by their restart policy, `releases` still knows the history, and deploy
// and rollback go on from it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  privateEngine,
  privateEngineUnavailable,
  type PrivateEngine,
} from "../helpers/private-engine.js";
import { runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");
const WORK = mkdtempSync(path.join(os.tmpdir(), "gantry-deploy-restart-"));
const DIR = path.join(WORK, "site");
const APP = "site";
const PORT = 18080; // inside the engine's own network namespace: nothing else listens there
const unavailable = privateEngineUnavailable();
let engine: PrivateEngine | undefined;

describe.skipIf(unavailable !== undefined)("deploy across an engine restart", () => {
  beforeAll(async () => {
    engine = await privateEngine();
    await engine.start();
    await engine.loadImages(["gantry-test/busybox:latest", "gantry-test/nginx:bookworm"]);
  }, 300_000);
  afterAll(async () => engine?.destroy(), 120_000);

  // The CLI in the engine's namespace (its health checks dial the published ports there).
  const gantry = (args: string[]) =>
    engine!.run("node", [BIN, ...args], {
      cwd: DIR,
      env: {
        DOCKER_HOST: engine!.host,
        GANTRY_STATE_DIR: path.join(WORK, "state"),
        GANTRY_DEPLOY_PROXY_IMAGE: "gantry-test/nginx:bookworm",
      },
    });
  const deploy = (v: string) => {
    writeFileSync(path.join(DIR, "index.html"), `${v}\n`);
    return gantry(["call", "deploy", `--app=${APP}`, `--port=${PORT}`, "--force"]);
  };
  const served = async () =>
    (await engine!.run("curl", ["-s", "-m", "5", `http://127.0.0.1:${PORT}/`])).stdout.trim();
  const states = async () => {
    const r = await gantry(["call", "releases", `--app=${APP}`]);
    expect(r.status, r.out).toBe(0);
    return r.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/).slice(0, 2).join(" "));
  };

  it("keeps the history and serves again after the engine restarts; deploy and rollback go on", async () => {
    mkdirSync(DIR);
    writeFileSync(
      path.join(DIR, "Dockerfile"),
      'FROM gantry-test/busybox:latest\nCOPY index.html /www/index.html\nEXPOSE 8080\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n',
    );
    writeFileSync(path.join(DIR, "index.html"), "v1\n");
    expect((await runCommand("node", [BIN, "init"], { cwd: DIR })).status).toBe(0);
    const r1 = await deploy("v1");
    expect(r1.status, r1.out).toBe(0);
    expect(await served()).toBe("v1");

    await engine!.stop();
    expect(await served()).toBe(""); // nothing answers while the engine is down
    await engine!.start();
    let back = "";
    for (const deadline = Date.now() + 60_000; back !== "v1" && Date.now() < deadline;)
      back = await served().catch(() => "");
    expect(back).toBe("v1");
    expect(await states()).toEqual(["r1 live"]);

    const r2 = await deploy("v2");
    expect(r2.status, r2.out).toBe(0);
    expect(r2.stdout).toContain(`release r2 of ${APP} is live`);
    expect(await served()).toBe("v2");
    const rb = await gantry(["call", "rollback", `--app=${APP}`]);
    expect(rb.status, rb.out).toBe(0);
    expect(rb.stdout).toContain(`release r1 of ${APP} is live again (was r2)`);
    expect(await served()).toBe("v1");
    expect(await states()).toEqual(["r2 rolled-back", "r1 live"]);
  }, 600_000);
});
