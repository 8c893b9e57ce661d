// Pulls from a registry behind a login: withRegistryAuth, then the user's Docker config (auths, credHelpers).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import "../../src/engine/images/index.js";
import { dag, ImageError } from "../../src/sdk/index.js";
import { BUSYBOX, docker, executed, makeStateDir, runIn } from "../helpers/test-session.js";

const run = promisify(execFile);
const AUTH_REGISTRY = "127.0.0.1:5001";
const PASSWORD = "gantry-secret";
const WRONG = "not-the-password-7f3a";
const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, PATH: process.env.PATH };
let image = ""; // pushed once, then removed locally before every test

// A Docker config folder holding `config` as its config.json; the runs of the test read it (readEnv).
async function useDockerConfig(config: object): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gantry-docker-config-"));
  await writeFile(path.join(dir, "config.json"), JSON.stringify(config));
  process.env.DOCKER_CONFIG = dir;
  return dir;
}

// A docker-credential-<name> program on PATH that answers `get` with `body` and exits with `code`.
async function useHelper(name: string, body: string, code = 0): Promise<void> {
  const bin = await mkdtemp(path.join(os.tmpdir(), "gantry-cred-helper-"));
  const file = path.join(bin, `docker-credential-${name}`);
  await writeFile(file, `#!/bin/sh\nread server\ncat <<'EOF'\n${body}\nEOF\nexit ${code}\n`);
  await chmod(file, 0o755);
  process.env.PATH = `${bin}:${saved.PATH ?? ""}`;
}

// Gone from the engine, so the next from() must pull it.
function removeLocal(ref: string): void {
  try {
    docker(["rmi", "-f", ref]);
  } catch {
    // not there
  }
  expect(docker(["image", "ls", "-q", ref]).trim()).toBe("");
}

// Every file of a state dir (run records, cache records) must be free of the secret.
async function expectNotInStateDir(stateDir: string, secret: string): Promise<void> {
  const files = (await readdir(stateDir, { recursive: true, withFileTypes: true })).filter((e) =>
    e.isFile(),
  );
  for (const f of files) {
    const text = await readFile(path.join(f.parentPath, f.name), "latin1");
    expect(text, f.name).not.toContain(secret);
    expect(text, f.name).not.toContain(Buffer.from(secret).toString("base64"));
  }
}

const basicAuth = Buffer.from(`gantry:${PASSWORD}`).toString("base64");

beforeAll(async () => {
  await run("bash", ["scripts/ensure-registry.sh"], { env: { ...process.env, AUTH: "1" } });
  process.env.DOCKER_CONFIG = await mkdtemp(path.join(os.tmpdir(), "gantry-no-logins-"));
  const name = `${AUTH_REGISTRY}/gantry-it/private-${randomBytes(4).toString("hex")}:1`;
  const { value } = await runIn("docker", await makeStateDir(), () =>
    dag
      .container()
      .from(BUSYBOX)
      .withNewFile("/marker", "private image\n")
      .withRegistryAuth(AUTH_REGISTRY, "gantry", dag.setSecret("pw", PASSWORD))
      .publish(name),
  );
  image = value.slice(0, value.indexOf("@")); // by tag: `docker rmi` cannot name a `tag@digest` ref
  removeLocal(image);
});

// Put an environment variable back as it was, unset included (assigning undefined would set "undefined").
function restore(name: keyof typeof saved): void {
  const value = saved[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

afterEach(() => {
  removeLocal(image);
  restore("DOCKER_CONFIG");
  restore("PATH");
});

afterAll(() => removeLocal(image));

describe("pulling from a registry that needs a login", () => {
  it("uses withRegistryAuth for from(); the secret is nowhere, and the cache key is the image's content", async () => {
    removeLocal(image);
    await useDockerConfig({});
    const stateDir = await makeStateDir();
    const pipeline = (ctr = dag.container()) =>
      ctr.from(image).withExec(["cat", "/marker"]).stdout();
    const first = await runIn("docker", stateDir, () =>
      pipeline(
        dag.container().withRegistryAuth(AUTH_REGISTRY, "gantry", dag.setSecret("pw", PASSWORD)),
      ),
    );
    expect(first.value).toBe("private image\n");
    expect(executed(first.events)).toEqual(["withExec cat /marker"]);
    expect(JSON.stringify(first.events)).not.toContain(PASSWORD);
    // Now local: the same step without any credentials is the same cache entry.
    const second = await runIn("docker", stateDir, () => pipeline());
    expect(second.value).toBe("private image\n");
    expect(executed(second.events)).toEqual([]);
    await expectNotInStateDir(stateDir, PASSWORD);
  });

  it("says which credentials failed when withRegistryAuth's password is wrong, never the password", async () => {
    removeLocal(image);
    await useDockerConfig({});
    const stateDir = await makeStateDir();
    const { value: err, events } = await runIn("docker", stateDir, () =>
      dag
        .container()
        .withRegistryAuth(AUTH_REGISTRY, "gantry", dag.setSecret("pw", WRONG))
        .from(image)
        .withExec(["true"])
        .sync()
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toContain(`pulling it failed`);
    expect((err as Error).message).toMatch(/unauthorized|authentication required/i);
    expect((err as ImageError).hint).toContain(`${AUTH_REGISTRY} given with withRegistryAuth`);
    expect(`${(err as Error).message} ${(err as ImageError).hint}`).not.toContain(WRONG);
    expect(JSON.stringify(events)).not.toContain(WRONG);
    await expectNotInStateDir(stateDir, WRONG);
  });

  it("pulls and publishes with the login in $DOCKER_CONFIG/config.json when no withRegistryAuth is given", async () => {
    removeLocal(image);
    await useDockerConfig({ auths: { [`http://${AUTH_REGISTRY}`]: { auth: basicAuth } } });
    const stateDir = await makeStateDir();
    const target = `${AUTH_REGISTRY}/gantry-it/from-config-${randomBytes(4).toString("hex")}:1`;
    const { value, events } = await runIn("docker", stateDir, async () => {
      const ctr = dag.container().from(image).withNewFile("/more", "more\n");
      return [await ctr.withExec(["cat", "/marker"]).stdout(), await ctr.publish(target)];
    });
    expect(value[0]).toBe("private image\n");
    expect(value[1]).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    await expectNotInStateDir(stateDir, PASSWORD);
  });

  it("asks a credential helper (credHelpers) for the registry's login", async () => {
    removeLocal(image);
    await useHelper("gantrytest", JSON.stringify({ Username: "gantry", Secret: PASSWORD }));
    await useDockerConfig({ credHelpers: { [AUTH_REGISTRY]: "gantrytest" } });
    const { value } = await runIn("docker", await makeStateDir(), () =>
      dag.container().from(image).withExec(["cat", "/marker"]).stdout(),
    );
    expect(value).toBe("private image\n");
  });

  it("names the helper and the registry when a credential helper fails", async () => {
    removeLocal(image);
    await useHelper("gantrybroken", "keychain locked", 1);
    await useDockerConfig({ credsStore: "gantrybroken" });
    const { value: err } = await runIn("docker", await makeStateDir(), () =>
      dag
        .container()
        .from(image)
        .sync()
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toContain(
      `the Docker credential helper docker-credential-gantrybroken failed for ${AUTH_REGISTRY}`,
    );
    expect((err as Error).message).toContain("keychain locked");
  });

  it("a wrong password in the Docker config fails clearly, without the password", async () => {
    removeLocal(image);
    const wrong = Buffer.from(`gantry:${WRONG}`).toString("base64");
    await useDockerConfig({ auths: { [AUTH_REGISTRY]: { auth: wrong } } });
    const stateDir = await makeStateDir();
    const { value: err, events } = await runIn("docker", stateDir, () =>
      dag
        .container()
        .from(image)
        .sync()
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).hint).toContain("in your Docker config (docker login)");
    const said = `${(err as Error).message} ${(err as ImageError).hint}`;
    expect(said).not.toContain(WRONG);
    expect(said).not.toContain(wrong);
    expect(JSON.stringify(events)).not.toContain(WRONG);
    await expectNotInStateDir(stateDir, WRONG);
  });
});
