// Deploy options as typed on the command line, the release history's rules, the proxy config and flyctl's JSON.
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  checkAppName,
  parseDuration,
  parseHealth,
  releaseCommandArgs,
} from "../../src/deploy/deploy-options.js";
import {
  findRelease,
  nextReleaseId,
  previousGood,
  ReleaseHistory,
  type AppHistory,
  type Release,
} from "../../src/deploy/release-history.js";
import { nginxConfig } from "../../src/deploy/docker/nginx-config.js";
import { previousImage } from "../../src/deploy/fly/fly-releases.js";
import { formatReleases } from "../../src/deploy/deploy.js";

const rel = (id: string, state: Release["state"]): Release => ({
  id,
  state,
  image: `gantry-deploy/shop:${id}`,
  imageDigest: `sha256:${id.padEnd(64, "0")}`,
  createdAt: "2026-01-01T00:00:00.000Z",
});

describe("deploy options", () => {
  it("splits health checks into paths (before the switch) and URLs (after)", () => {
    const h = parseHealth("/healthz, https://shop.example.com/ready", {
      timeout: "1m30s",
      retries: 3,
      body: "ok",
    });
    expect(h).toEqual({
      paths: ["/healthz"],
      urls: ["https://shop.example.com/ready"],
      timeoutMs: 90_000,
      retries: 3,
      bodyMatch: "ok",
    });
    expect(parseHealth(["/a", "/b"], {}).timeoutMs).toBe(45_000);
  });

  it("refuses what it cannot read, saying what was expected", () => {
    expect(() => parseHealth(undefined, {})).toThrow(/at least one health check/);
    expect(() => parseHealth("healthz", {})).toThrow(
      /neither a path \(\/healthz\) nor an http\(s\):\/\/ URL/,
    );
    expect(() => parseHealth("/h", { timeout: "soon" })).toThrow(
      /--health-timeout must be a duration/,
    );
    expect(() => parseHealth("/h", { retries: 0 })).toThrow(/--health-retries/);
    expect(() => checkAppName("My_App")).toThrow(/lower-case letters, digits and dashes/);
    expect(checkAppName("my-app-2")).toBe("my-app-2");
    expect(parseDuration("x", "500ms", 1)).toBe(500);
    expect(parseDuration("x", undefined, 7)).toBe(7);
  });

  it("runs a release command string through sh -c, a list as is", () => {
    expect(releaseCommandArgs("bin/migrate && bin/seed")).toEqual([
      "/bin/sh",
      "-c",
      "bin/migrate && bin/seed",
    ]);
    expect(releaseCommandArgs(["bin/migrate", "--all"])).toEqual(["bin/migrate", "--all"]);
    expect(releaseCommandArgs(" ")).toBeUndefined();
  });
});

describe("release history", () => {
  it("numbers releases without reuse and finds the previous good one", () => {
    const h: AppHistory = {
      app: "shop",
      target: "docker",
      releases: [
        rel("r1", "superseded"),
        rel("r2", "failed-health"),
        rel("r3", "rolled-back"),
        rel("r4", "live"),
      ],
    };
    expect(nextReleaseId(h)).toBe("r5");
    expect(previousGood(h)?.id).toBe("r1"); // not r3: it was rolled back, not r2: it never served
    expect(findRelease(h, "3")?.id).toBe("r3");
  });

  it("survives the process: written atomically, read back; a second lock holder is refused while the first lives", () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-deploy-hist-"));
    const store = new ReleaseHistory(state, "/src/shop", "docker-abc", "shop");
    expect(store.read("shop", "docker").releases).toEqual([]);
    store.write({ app: "shop", target: "docker", releases: [rel("r1", "live")] });
    expect(
      new ReleaseHistory(state, "/src/shop", "docker-abc", "shop").read("shop", "docker")
        .releases[0]?.id,
    ).toBe("r1");
    fs.writeFileSync(`${store.file}.lock`, "1"); // pid 1 is alive
    expect(() => store.lock()).toThrow(/another deploy of this app is running \(process 1\)/);
    fs.writeFileSync(`${store.file}.lock`, "999999999"); // a pid that does not exist: taken over
    const unlock = store.lock();
    unlock();
    expect(fs.existsSync(`${store.file}.lock`)).toBe(false);
    fs.writeFileSync(store.file, "{not json");
    expect(() => store.read("shop", "docker")).toThrow(/release history .* is not readable/);
  });

  it("prints newest first as a table", () => {
    const text = formatReleases([
      { ...rel("r2", "live"), sourceDigest: `sha256:${"b".repeat(64)}` },
      rel("r1", "superseded"),
    ]);
    expect(text.split("\n")).toEqual([
      "ID  STATE       CREATED               IMAGE                SOURCE               NOTE",
      "r2  live        2026-01-01 00:00:00Z  sha256:r20000000000  sha256:bbbbbbbbbbbb",
      "r1  superseded  2026-01-01 00:00:00Z  sha256:r10000000000  -",
    ]);
  });
});

describe("proxy config and flyctl output", () => {
  it("sends every request to the one upstream and lets old workers finish", () => {
    const conf = nginxConfig({
      app: "shop",
      release: "r3",
      upstream: "gantry-deploy-shop-r3:8080",
    });
    expect(conf).toContain("server gantry-deploy-shop-r3:8080 max_fails=0;");
    expect(conf).toContain("proxy_pass http://gantry_release;");
    expect(conf).toContain("worker_shutdown_timeout 30s;");
  });

  it("finds the newest completed release's image in `flyctl releases --image --json`", () => {
    const json = JSON.stringify([
      { Version: 3, Status: "failed", ImageRef: "registry.fly.io/shop:c" },
      { Version: 2, Status: "complete", ImageRef: "registry.fly.io/shop:b" },
      { Version: 1, Status: "complete", ImageRef: "registry.fly.io/shop:a" },
    ]);
    expect(previousImage(json)).toBe("registry.fly.io/shop:b");
    expect(previousImage("[]")).toBeUndefined();
    expect(previousImage("not json")).toBeUndefined();
  });
});
