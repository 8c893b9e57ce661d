// The fly target up to the flyctl call. Fly cannot be reached from here, so flyctl is a stand-in (a script in a local
// busybox image, as the image's entrypoint like flyio/flyctl's) that prints the arguments and environment it got.
// Everything around it is real: the push to a real registry (127.0.0.1:5000), the token as a secret variable, the
// public health check against a real HTTP server, the redeploy of the previous image when it fails, the history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { dag } from "../../src/sdk/index.js";
import { deploy, releases, rollback } from "../../src/deploy/index.js";
import { BUSYBOX, closeServer, listenLoopback, makeStateDir } from "../helpers/test-session.js";
import { openSession } from "../../src/engine/open-session.js";
import { readEnv } from "../../src/env.js";
import type { RunEvent } from "../../src/engine/events.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const REGISTRY = "127.0.0.1:5000";
const TOKEN = `fly-secret-${process.pid}-${Date.now().toString(36)}`;
const APP = `flytest-${Date.now().toString(36)}`;
const STANDIN = `#!/bin/sh
# A stand-in for flyctl: says what it was asked and whether it has a token (its length, never its value).
if [ "$1" = releases ]; then
  echo '[{"Version":1,"Status":"complete","ImageRef":"registry.fly.io/${APP}:before","Description":"args: '"$*"'"}]'
  exit 0
fi
echo "flyctl-standin args: $*"
[ -n "$FLY_API_TOKEN" ] && echo "flyctl-standin token: set (\${#FLY_API_TOKEN} chars)"
[ -f fly.toml ] && echo "flyctl-standin fly.toml: $(head -n 1 fly.toml)"
exit 0
`;

let healthy = true;
let server: http.Server;
let healthUrl = "";
let stateDir = "";

function flyctl() {
  return dag
    .container()
    .from(BUSYBOX)
    .withNewFile("/usr/local/bin/flyctl", { contents: STANDIN, permissions: 0o755 })
    .withEntrypoint(["flyctl"]);
}

function common() {
  return {
    target: "fly" as const,
    app: APP,
    flyToken: dag.setSecret("fly-token", TOKEN),
    flyctl: flyctl(),
    flyRegistry: REGISTRY,
    flyConfig: dag.directory().withNewFile("fly.toml", `app = "${APP}"\n`),
    health: healthUrl,
    healthTimeout: "3s",
  };
}

// One run per call, like one CLI invocation; every event is kept (on failure too) to look for the token.
async function inRun<T>(
  fn: () => Promise<T>,
): Promise<{ value?: T; error?: Error; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const { session } = await openSession({
    runtime: "docker",
    projectDir: ROOT,
    env: { ...readEnv(), stateDir },
    events: { emit: (e) => events.push(e) },
  });
  try {
    return { value: await session.run(fn), events };
  } catch (e) {
    return { error: e as Error, events };
  } finally {
    await session.close();
  }
}

describe("deploy on fly (stand-in flyctl, real registry)", () => {
  beforeAll(async () => {
    execFileSync("bash", [path.resolve(import.meta.dirname, "../../scripts/ensure-registry.sh")], {
      stdio: "ignore",
    });
    stateDir = await makeStateDir();
    server = http.createServer((req, res) =>
      res.writeHead(healthy ? 200 : 500).end(healthy ? "ok" : "down"),
    );
    healthUrl = `http://127.0.0.1:${await listenLoopback(server)}/healthz`;
  });
  afterAll(() => closeServer(server));

  it("pushes, runs flyctl deploy with the token as a secret, checks the public URL, keeps the history", async () => {
    const ctr = dag.container().from(BUSYBOX).withNewFile("/srv/index.html", "v1");
    const r = await inRun(() => deploy({ ...common(), container: ctr, force: true }));
    expect(r.error).toBeUndefined();
    const res = r.value!;
    expect(res.release).toMatchObject({ id: "r1", state: "live" });
    expect(res.release.image).toMatch(
      new RegExp(`^${REGISTRY}/${APP}:gantry-r1@sha256:[0-9a-f]{64}$`),
    );
    const [list, dep] = res.flyctl!;
    expect(list!.args).toEqual(["releases", "--app", APP, "--image", "--json"]);
    expect(dep!.args).toEqual([
      "deploy",
      "--app",
      APP,
      "--image",
      res.release.image,
      "--strategy",
      "bluegreen",
    ]);
    expect(dep!.stdout).toContain(
      `flyctl-standin args: deploy --app ${APP} --image ${res.release.image} --strategy bluegreen`,
    );
    expect(dep!.stdout).toContain(`flyctl-standin token: set (${TOKEN.length} chars)`);
    expect(dep!.stdout).toContain(`flyctl-standin fly.toml: app = "${APP}"`);
    // The image really is in the registry under the tag it was deployed by.
    const manifest = await fetch(`http://${REGISTRY}/v2/${APP}/manifests/gantry-r1`, {
      headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" },
    });
    expect(manifest.status).toBe(200);
    expect(JSON.stringify(r.events)).not.toContain(TOKEN);
    expect(JSON.stringify(res)).not.toContain(TOKEN);
  });

  it("redeploys the image that served before when the public health check fails", async () => {
    healthy = false;
    const ctr = dag.container().from(BUSYBOX).withNewFile("/srv/index.html", "v2");
    const r = await inRun(() => deploy({ ...common(), container: ctr, force: true }));
    healthy = true;
    expect(r.error?.message).toContain(`release r2 of ${APP} failed its health check`);
    expect(r.error?.message).toContain(
      `the previous image registry.fly.io/${APP}:before was deployed again`,
    );
    expect(r.error?.message).toContain(`${healthUrl}: answered status 500`);
    expect(r.error?.message).not.toContain(TOKEN);
    const steps = r.events
      .filter((e) => e.type === "step.start")
      .map((e) => (e as { name: string }).name);
    expect(steps).toContain(
      `flyctl deploy --app ${APP} --image registry.fly.io/${APP}:before --strategy immediate`,
    );
    expect(JSON.stringify(r.events)).not.toContain(TOKEN);
    const h = await inRun(() => releases({ app: APP, target: "fly" }));
    expect(h.value!.map((x) => `${x.id} ${x.state}`)).toEqual(["r2 failed-health", "r1 live"]);
  });

  it("rolls back by deploying an older release's image", async () => {
    const ctr = dag.container().from(BUSYBOX).withNewFile("/srv/index.html", "v3");
    const v3 = await inRun(() => deploy({ ...common(), container: ctr, force: true }));
    expect(v3.value?.release.id).toBe("r3");
    const back = await inRun(() => rollback({ ...common(), to: "r1" }));
    expect(back.error).toBeUndefined();
    const r1 = (await inRun(() => releases({ app: APP, target: "fly" }))).value!;
    expect(back.value!.flyctl![0]!.args).toEqual([
      "deploy",
      "--app",
      APP,
      "--image",
      r1.find((x) => x.id === "r1")!.image,
      "--strategy",
      "bluegreen",
    ]);
    expect(r1.map((x) => `${x.id} ${x.state}`)).toEqual([
      "r3 rolled-back",
      "r2 failed-health",
      "r1 live",
    ]);
  });

  it("refuses a release command (Fly runs fly.toml's) and a missing token, before anything is pushed", async () => {
    const ctr = dag.container().from(BUSYBOX);
    const rc = await inRun(() =>
      deploy({ ...common(), container: ctr, force: true, releaseCommand: "bin/migrate" }),
    );
    expect(rc.error?.message).toBe("on the fly target the release command is Fly's own");
    const nt = await inRun(() =>
      deploy({ ...common(), flyToken: undefined, container: ctr, force: true }),
    );
    expect(nt.error?.message).toBe("the fly target needs the API token as a secret");
  });
});
