// `gantry doctor` against the real engine on this machine, and against an address where nothing answers.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { docker } from "../helpers/test-session.js";
import { runGantry } from "../unit/cli-test-helpers.js";

const cwd = mkdtempSync(path.join(os.tmpdir(), "gantry-doctor-"));
const run = (args: string[], env: Record<string, string> = {}) =>
  runGantry(["doctor", ...args], {
    cwd,
    stateDir: path.join(cwd, "state"),
    env: { PATH: process.env.PATH ?? "", ...env },
  });

describe("gantry doctor", () => {
  it("names the runtime, the engine's version and API, BuildKit, disk and bubblewrap", async () => {
    const r = await run([]);
    expect(r.code, r.stdout).toBe(0);
    const version = docker(["version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}"])
      .trim()
      .split(" ");
    expect(r.stdout).toMatch(/^✔ node {8}v\d+/);
    expect(r.stdout).toContain("✔ runtime     docker: engine at /var/run/docker.sock");
    expect(r.stdout).toContain(
      `engine      Docker Engine ${version[0]}, API ${version[1]}, linux/`,
    );
    // dockerd's embedded BuildKit answers Control/ListWorkers over POST /grpc (h2c) on this engine
    expect(r.stdout).toMatch(
      /✔ buildkit {4}the engine serves BuildKit at POST \/grpc \(\d+ workers?\)/,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `[✔⚠] disk {8}state dir ${cwd.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: [\\d.]+ GiB free of [\\d.]+ GiB`,
      ),
    );
    // this kernel mounts overlays in a user namespace, and the state dir is on ext4
    expect(r.stdout).toContain(
      "✔ bubblewrap  works: host-runtime steps run sandboxed, each over an overlay of its files (GANTRY_HOST_OVERLAY=0: copies)",
    );
    expect(readdirSync(cwd).filter((n) => n.startsWith(".gantry-doctor-"))).toEqual([]);
  });

  it("fails with what to do when the asked-for engine does not answer, and says auto falls back to the host", async () => {
    const env = { DOCKER_HOST: "tcp://127.0.0.1:9" };
    const docker = await run(["--runtime=docker"], env);
    expect(docker.code).toBe(1);
    expect(docker.stdout).toContain(
      "✘ runtime     docker was asked for by --runtime, and Docker engine not reachable at tcp://127.0.0.1:9",
    );
    expect(docker.stdout).toContain(
      "→ start Docker (or Podman's socket), set DOCKER_HOST, or run with --runtime=host",
    );
    const auto = await run([], env);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toMatch(
      /⚠ runtime {5}host \((bubblewrap sandbox|plain processes)\): no engine answered/,
    );
    expect(auto.stdout).not.toContain("buildkit");
  });

  it("reports an OpenTelemetry protocol it cannot speak", async () => {
    const r = await run(["--runtime=host"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4317",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    });
    expect(r.stdout).toContain("⚠ telemetry   OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported");
  });
});
