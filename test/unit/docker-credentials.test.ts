// The user's Docker config read as the docker CLI reads it: which entry names a registry, and what a helper may answer.
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DockerCredentials } from "../../src/runtime/docker/connection/docker-credentials.js";
import { ImageError } from "../../src/errors.js";

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

// A config folder holding `config` (an object as JSON, a string as is) as its config.json.
async function configDir(config: object | string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-docker-config-"));
  const text = typeof config === "string" ? config : JSON.stringify(config);
  await writeFile(path.join(dir, "config.json"), text);
  return dir;
}

// A docker-credential-<name> on PATH that prints `out` and exits with `code`.
async function helper(name: string, out: string, code = 0): Promise<void> {
  const bin = await mkdtemp(path.join(os.tmpdir(), "gantry-cred-helper-"));
  const file = path.join(bin, `docker-credential-${name}`);
  await writeFile(file, `#!/bin/sh\ncat >/dev/null\nprintf '%s\\n' '${out}'\nexit ${code}\n`);
  await chmod(file, 0o755);
  process.env.PATH = `${bin}:${savedPath ?? ""}`;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("DockerCredentials", () => {
  it("finds auths under any spelling of the host, Docker Hub under its v1 URL", async () => {
    const creds = new DockerCredentials(
      await configDir({
        auths: {
          "https://index.docker.io/v1/": { auth: b64("hub:pw:with:colons") },
          "https://Registry.Example.com/v2/": { username: "u", password: "p" },
        },
      }),
    );
    expect(await creds.for("docker.io")).toEqual({
      username: "hub",
      password: "pw:with:colons",
      serveraddress: "https://index.docker.io/v1/",
    });
    expect(await creds.for("registry.example.com")).toMatchObject({ username: "u", password: "p" });
    expect(await creds.for("ghcr.io")).toBeUndefined();
  });

  it("has no credentials without a config, and says so when the config is not JSON", async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), "gantry-docker-config-"));
    expect(await new DockerCredentials(empty).for("ghcr.io")).toBeUndefined();
    const broken = new DockerCredentials(await configDir("{not json"));
    await expect(broken.for("ghcr.io")).rejects.toThrow(/config\.json is not valid JSON/);
  });

  it("falls back to auths when the credsStore has nothing for the registry", async () => {
    await helper("gantryempty", "credentials not found in native keychain", 1);
    const creds = new DockerCredentials(
      await configDir({ credsStore: "gantryempty", auths: { "ghcr.io": { auth: b64("a:b") } } }),
    );
    expect(await creds.for("ghcr.io")).toMatchObject({ username: "a", password: "b" });
  });

  it("never quotes a helper's answer that is not JSON (it may hold the secret)", async () => {
    await helper("gantryleaky", "Secret=hunter2");
    const creds = new DockerCredentials(
      await configDir({ credHelpers: { "ghcr.io": "gantryleaky" } }),
    );
    const err = await creds.for("ghcr.io").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toContain("docker-credential-gantryleaky failed for ghcr.io");
    expect((err as Error).message).not.toContain("hunter2");
  });

  it("names a helper that is not installed", async () => {
    const creds = new DockerCredentials(await configDir({ credsStore: "gantry-missing-helper" }));
    await expect(creds.for("ghcr.io")).rejects.toThrow(
      /docker-credential-gantry-missing-helper failed for ghcr\.io: .*ENOENT/,
    );
  });
});
