// `gantry init` in a project with only a Dockerfile gives deploy, releases and rollback that work as written: the
// generated module is used unchanged (but for its checks' image and secret scan, which need a registry), through the
// real CLI, on the real engine, with real nginx in front.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEBIAN, freePort, runCommand } from "../helpers/test-session.js";
import { removeDeployedApp } from "../helpers/deploy-app.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/gantry.js");
const WORK = mkdtempSync(path.join(os.tmpdir(), "gantry-deploy-init-"));
const DIR = path.join(WORK, "shop");
const APP = `init-${process.pid}-${Date.now().toString(36)}`;

function gantry(args: string[]) {
  const call = args[0] === "call" ? ["call", `--image=${DEBIAN}`, ...args.slice(1)] : args;
  return runCommand("node", [BIN, ...call], {
    cwd: DIR,
    env: {
      GANTRY_STATE_DIR: path.join(WORK, "state"),
      GANTRY_DEPLOY_PROXY_IMAGE: "gantry-test/nginx:bookworm",
    },
  });
}

// The page the app serves: the version to tell releases apart.
function page(v: string): void {
  writeFileSync(path.join(DIR, "index.html"), `${v}\n`);
}

describe("gantry init with a Dockerfile: deploy, releases, rollback", () => {
  afterAll(() => removeDeployedApp(APP));

  it("deploys the project twice behind the quality gate, lists the releases and rolls back", async () => {
    mkdirSync(DIR);
    writeFileSync(
      path.join(DIR, "Dockerfile"),
      'FROM gantry-test/busybox:latest\nCOPY index.html /www/index.html\nEXPOSE 8080\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n',
    );
    page("v1");
    const init = await gantry(["init"]);
    expect(init.status, init.out).toBe(0);
    expect(init.stdout).toContain("Detected: Dockerfile");
    const entry = path.join(DIR, ".gantry/src/index.ts");
    const mod = readFileSync(entry, "utf8");
    expect(mod).toContain('image = "debian:bookworm-slim"');
    // No registry here: the checks' image is a local one (--image, below), and the secret scan (it installs
    // secretlint) is off.
    writeFileSync(entry, mod.replace("image, //", "image, secretScan: false, //"));
    const port = await freePort();
    const deploy = () =>
      gantry(["call", "deploy", `--app=${APP}`, `--port=${port}`, "--health-timeout=20s"]);
    const served = async () => (await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim();

    const refused = await deploy();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("deploy refused by the quality gate");

    const ci = await gantry(["call", "ci"]);
    expect(ci.status, ci.out).toBe(0);
    expect(ci.stdout).toContain("recorded for deploy: sha256:");
    const r1 = await deploy();
    expect(r1.status, r1.out).toBe(0);
    expect(r1.stdout).toContain(`release r1 of ${APP} is live at http://127.0.0.1:${port}`);
    expect(await served()).toBe("v1");

    page("v2");
    expect((await gantry(["call", "ci"])).status).toBe(0);
    const r2 = await deploy();
    expect(r2.status, r2.out).toBe(0);
    expect(r2.stdout).toContain(`release r2 of ${APP} is live`);
    expect(await served()).toBe("v2");

    const back = await gantry(["call", "rollback", `--app=${APP}`]);
    expect(back.status, back.out).toBe(0);
    expect(back.stdout).toContain(`release r1 of ${APP} is live again (was r2)`);
    expect(await served()).toBe("v1");

    const rel = await gantry(["call", "releases", `--app=${APP}`]);
    expect(rel.status, rel.out).toBe(0);
    const rows = rel.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/).slice(0, 2).join(" "));
    expect(rows).toEqual(["r2 rolled-back", "r1 live"]);
  }, 600_000);
});
