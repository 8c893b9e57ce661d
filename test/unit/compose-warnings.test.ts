// Keys Gantry does not apply are never dropped silently: each becomes a warning naming its path.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadComposeProject } from "../../src/compose/load-compose.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/compose");
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-compose-warn-"));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

// Loads one compose file text and returns its warnings.
async function warningsOf(compose: string, env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(tmpRoot, "p-"));
  fs.writeFileSync(path.join(dir, "compose.yaml"), compose);
  return (await loadComposeProject({ files: [], cwd: dir, env })).warnings;
}

describe("warnings", () => {
  it("names every unsupported key, at every level", async () => {
    const { warnings } = await loadComposeProject({
      files: [],
      cwd: path.join(FIXTURES, "unsupported"),
      env: {},
    });
    const w = (where: string, msg = "not supported by Gantry, ignored") =>
      `docker-compose.yml: ${where}: ${msg}`;
    expect(warnings).toEqual([
      w("secrets"),
      w("configs"),
      w("services.api.deploy"),
      w("services.api.network_mode"),
      w("services.api.extends"),
      w("services.api.container_name", "ignored, Gantry names containers itself"),
      w("services.api.restart", "ignored, Gantry does not restart containers in one-shot runs"),
      w("services.api.build.cache_from"),
      w("services.api.build.ssh"),
      w("services.api.env_file[0].format"),
      w(
        "services.api.depends_on.db.restart",
        "not supported by Gantry, ignored (dependencies are not restarted)",
      ),
      w("services.api.healthcheck.start_interval"),
      w("services.api.ports[0].mode"),
      w("services.api.ports[0].app_protocol"),
      w("services.api.networks.front.ipv4_address"),
      w("services.api.volumes[0]", 'mount option "z" is not supported by Gantry, ignored'),
      w("services.api.volumes[1].bind"),
      w("volumes.data.driver"),
      w("volumes.data.driver_opts"),
      w("networks.front.driver"),
      w("networks.front.ipam"),
    ]);
  });

  it("accepts version, x- extensions (top level and in services) and definitions silently", async () => {
    expect(
      await warningsOf(
        'version: "3.8"\nx-env: &env {A: "1"}\nservices:\n  a:\n    image: x\n    x-note: hi\n    environment: *env\nvolumes:\n  v:\n    external: true\n    name: shared\nnetworks:\n  n: {}\n',
      ),
    ).toEqual([]);
  });

  it("warns once per unset variable, and for several standard files in one folder", async () => {
    expect(
      await warningsOf("services:\n  a:\n    image: x:$TAG\n    command: echo $TAG $OTHER\n"),
    ).toEqual([
      "compose.yaml: services.a.image: variable TAG is not set, substituting an empty string",
      "compose.yaml: services.a.command: variable OTHER is not set, substituting an empty string",
    ]);
  });
});
