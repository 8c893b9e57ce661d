// `dev start` returns once the dev server is up: a command that crashes at once fails with its exit code and last
// lines, a server that never listens on its declared port fails after the wait, and neither leaves anything running;
// a server that listens answers on the printed URL (bound to loopback) as soon as the CLI returns.
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGantry } from "../unit/cli-test-helpers.js";
import { tempDir } from "../unit/module-test-helpers.js";
import { copyToolchainFixture } from "../helpers/toolchain-fixture.js";

const tmp = tempDir("gantry-tc-dev-start-");
const name = `node-dev-${randomBytes(4).toString("hex")}`;
let project: string;
let stateDir: string;

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();

beforeAll(() => {
  process.env.NODE_DEV_NAME = name;
  ({ project, stateDir } = copyToolchainFixture(tmp.dir, "node-dev"));
});
afterAll(async () => {
  await gantry(["call", "dev", "stop"]).catch(() => undefined);
  delete process.env.NODE_DEV_NAME;
  tmp.cleanup();
});

const gantry = (args: string[]) =>
  runGantry(["--progress=plain", ...args], {
    cwd: project,
    stateDir,
    env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "" },
  });

// The module's dev options, as a person would edit them.
function setDev(dev: string): void {
  const file = path.join(project, ".gantry/src/index.ts");
  const src = fs.readFileSync(file, "utf8");
  fs.writeFileSync(file, src.replace(/^ {6}dev: .*$/m, `      dev: ${dev},`));
}

// Every container and network of this project's dev environment, running or not.
function leftOver(): string {
  const label = `label=gantry.dev.project=${name}`;
  return docker("ps", "-aq", "--filter", label) + docker("network", "ls", "-q", "--filter", label);
}

describe("dev start waits for the dev server", () => {
  it("fails at once when the command exits, with its exit code and last lines, and leaves nothing", async () => {
    setDev('{ command: "node src/nope.js", ports: [3000] }');
    const r = await gantry(["call", "dev", "start", "--host-port=0"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      "Error: the dev server `node src/nope.js` exited with code 1 before it was ready\n--- last lines of the dev server `node src/nope.js` ---\n",
    );
    expect(r.stderr).toContain("Error: Cannot find module '/app/src/nope.js'");
    expect(r.stderr).toMatch(/Hint: .*fix dev\.command/);
    expect(r.stdout).not.toContain("→ http");
    expect(leftOver()).toBe("");
  }, 600_000);

  it("fails after the wait when nothing listens on the declared port, and leaves nothing", async () => {
    setDev('{ command: "node src/fixed-port.js", ports: [3001] }');
    const t0 = Date.now();
    const r = await gantry(["call", "dev", "start", "--host-port=0", "--ready-timeout=3"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      "Error: the dev server `node src/fixed-port.js` was not ready after 3 s: port 3001/tcp did not accept connections (its process is still running)\n--- last lines of the dev server `node src/fixed-port.js` ---\nlistening on 3000 (PORT=3001 ignored)\n",
    );
    expect(r.stderr).toMatch(
      /Hint: nothing answered on container port 3001 .*PORT=3001.*dev\.ports/,
    );
    expect(Date.now() - t0).toBeLessThan(120_000);
    expect(leftOver()).toBe("");
  }, 600_000);

  it("returns once the server listens on the PORT it was given: the printed URL answers at once, on loopback", async () => {
    // the server listens on $PORT (3000 without it): dev start gives it the first of dev.ports
    setDev('{ command: "node src/server.js", ports: [3001], readyTimeout: 60 }');
    const r = await gantry(["call", "dev", "start", "--host-port=0"]);
    if (r.code !== 0) console.error(r.stderr.slice(-3000));
    expect(r.code).toBe(0);
    const url = /3001\/tcp → (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout)?.[1];
    expect(url).toBeDefined();
    // no polling: dev start has already waited
    const res = await fetch(url!, { signal: AbortSignal.timeout(5_000) });
    expect(await res.text()).toBe("hello from dev\n");
    const app = /^app: (\S+) running/m.exec(r.stdout)?.[1];
    expect(docker("port", app!, "3001/tcp")).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(
      docker("inspect", "-f", "{{.State.Status}} {{.HostConfig.RestartPolicy.Name}}", app!),
    ).toBe("running unless-stopped");

    const stop = await gantry(["call", "dev", "stop"]);
    expect(stop.stdout).toContain(`stopped and removed: ${app}`);
    expect(leftOver()).toBe("");
  }, 600_000);
});
