// Start-up cost: the docker client Gantry loads leaves out dockerode's grpc session and docker-modem's ssh2 (about
// 140 ms of every run here) and tar-fs (dockerode packs folders with it; Gantry never asks it to), and still talks to
// the engine.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/test-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("docker client start-up", () => {
  it("connects and lists containers without loading grpc, ssh2, protobufjs or tar-fs's tar packer", async () => {
    const script = `
      import { createRequire } from "node:module";
      const { connectDocker } = await import(${JSON.stringify(path.join(ROOT, "dist/runtime/docker/connection/connect-docker.js"))});
      const { readEnv } = await import(${JSON.stringify(path.join(ROOT, "dist/env.js"))});
      const { docker } = await connectDocker(readEnv());
      const containers = await docker.listContainers({ all: true });
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        listed: Array.isArray(containers),
        heavy: loaded.filter((f) => /node_modules\\/(@grpc|ssh2|protobufjs|bl|pump|tar-fs\\/node_modules)\\//.test(f)),
        dockerode: loaded.some((f) => f.includes("node_modules/dockerode/")),
      }));
    `;
    const r = await runCommand("node", ["--input-type=module", "-e", script]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ listed: true, heavy: [], dockerode: true });
  });
});
