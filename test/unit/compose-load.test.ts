import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { findComposeFile } from "../../src/compose/find-compose-file.js";
import { normalizeProjectName } from "../../src/compose/project-name.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/compose");
const FULL = path.join(FIXTURES, "full");
const SHELL = { PASSTHROUGH: "from-shell", FROM_ENV: "arg-from-env", HOME: "/home/tester" };
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-compose-load-"));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

// A fresh project folder holding `files` (name → content).
function project(files: Record<string, string>, name = "proj"): string {
  const dir = fs.mkdtempSync(path.join(tmpRoot, `${name}-`));
  const sub = path.join(dir, name);
  fs.mkdirSync(sub);
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(sub, f), text);
  return sub;
}

describe("loadComposeProject: the full fixture", () => {
  it("normalises every supported key", async () => {
    const { project: p, warnings } = await loadComposeProject({ files: [], cwd: FULL, env: SHELL });
    expect(warnings).toEqual([]);
    expect(p.name).toBe("fullapp");
    expect(p.dir).toBe(FULL);
    expect(Object.keys(p.services)).toEqual(["api", "db", "migrate"]);
    expect(Object.keys(p.disabledServices)).toEqual(["cache", "tools"]);
    expect(p.services.api).toEqual({
      name: "api",
      image: "fullapp/api:1.2.3",
      build: {
        context: path.join(FULL, "api"),
        dockerfile: "Dockerfile.dev",
        args: { NODE_VERSION: "20", FROM_ENV: "arg-from-env" },
        target: "dev",
      },
      command: ["npm", "run", "start", "--", "--port", "3000"],
      entrypoint: ["docker-entrypoint.sh"],
      environment: {
        NODE_ENV: "development",
        LOG_LEVEL: "debug",
        QUOTED: "a b",
        DATABASE_URL: "postgres://app:secret@db:5432/app",
        PASSTHROUGH: "from-shell",
      },
      dependsOn: {
        db: { condition: "service_healthy", required: true },
        migrate: { condition: "service_completed_successfully", required: true },
        cache: { condition: "service_started", required: false },
      },
      healthcheck: {
        test: ["CMD", "curl", "-f", "http://localhost:3000/health"],
        intervalMs: 90_000,
        timeoutMs: 500,
        retries: 5,
        startPeriodMs: 3_600_000,
      },
      ports: [
        { target: 3000, published: 3000, protocol: "tcp" },
        { target: 9229, published: 9229, hostIp: "127.0.0.1", protocol: "tcp" },
        { target: 8443, published: 443, protocol: "tcp" },
      ],
      expose: [4000, 4001],
      networks: { front: { aliases: ["api.local"] }, back: { aliases: [] } },
      volumes: [
        { type: "bind", source: path.join(FULL, "src"), target: "/app/src", readOnly: true },
        { type: "volume", source: "node_modules", target: "/app/node_modules", readOnly: false },
        { type: "tmpfs", target: "/app/tmp" },
        { type: "tmpfs", target: "/run" },
      ],
      workingDir: "/app",
      user: "1000:1000",
      profiles: [],
      labels: { team: "platform" },
    });
  });

  it("fills defaults: default network, healthcheck timings, service_started for list depends_on", async () => {
    const { project: p } = await loadComposeProject({ files: [], cwd: FULL, env: SHELL });
    expect(p.services.db).toEqual({
      name: "db",
      image: "postgres:16",
      environment: { POSTGRES_PASSWORD: "secret", POSTGRES_DB: "app" },
      dependsOn: {},
      healthcheck: {
        test: ["CMD-SHELL", "pg_isready -U postgres"],
        intervalMs: 30_000,
        timeoutMs: 30_000,
        retries: 3,
        startPeriodMs: 0,
      },
      ports: [],
      expose: [],
      networks: { back: { aliases: [] } },
      volumes: [
        { type: "volume", source: "pgdata", target: "/var/lib/postgresql/data", readOnly: false },
      ],
      profiles: [],
      labels: { "com.example.role": "db", "com.example.empty": "" },
    });
    expect(p.services.migrate?.dependsOn).toEqual({
      db: { condition: "service_started", required: true },
    });
    expect(p.disabledServices.cache?.networks).toEqual({ default: { aliases: [] } });
  });

  it("disables healthchecks with disable: true or test: [NONE]; resolves ~ and ../ bind sources", async () => {
    const { project: p } = await loadComposeProject({ files: [], cwd: FULL, env: SHELL });
    expect(p.disabledServices.cache?.healthcheck).toEqual({ disabled: true });
    const tools = p.disabledServices.tools;
    expect(tools?.healthcheck).toEqual({ disabled: true });
    expect(tools?.entrypoint).toEqual([]);
    expect(tools?.profiles).toEqual(["debug", "tools"]);
    expect(tools?.volumes).toEqual([
      { type: "bind", source: "/home/tester/.cache", target: "/root/.cache", readOnly: false },
      {
        type: "bind",
        source: "/var/run/docker.sock",
        target: "/var/run/docker.sock",
        readOnly: false,
      },
      { type: "volume", target: "/scratch", readOnly: false },
      { type: "bind", source: path.join(FIXTURES, "shared"), target: "/shared", readOnly: true },
    ]);
  });

  it("names volumes and networks <project>_<key> unless named or external", async () => {
    const { project: p } = await loadComposeProject({ files: [], cwd: FULL, env: SHELL });
    expect(p.volumes).toEqual({
      pgdata: { name: "fullapp_pgdata", external: false },
      node_modules: { name: "shared_node_modules", external: false },
      outside: { name: "outside", external: true },
    });
    expect(p.networks).toEqual({
      front: { name: "fullapp_front", external: false },
      back: { name: "company_back", external: true },
      default: { name: "fullapp_default", external: false },
    });
  });

  it("the shell's variables win over .env", async () => {
    const { project: p } = await loadComposeProject({
      files: [],
      cwd: FULL,
      env: { ...SHELL, DB_PASSWORD: "from-shell", TAG: undefined },
    });
    expect(p.services.db?.environment.POSTGRES_PASSWORD).toBe("from-shell");
    expect(p.services.api?.image).toBe("fullapp/api:1.2.3"); // undefined in env: .env stays
  });
});

describe("loadComposeProject: profiles", () => {
  it("enables services of the active profiles, from the option or COMPOSE_PROFILES", async () => {
    const byOption = await loadComposeProject({
      files: [],
      cwd: FULL,
      env: SHELL,
      profiles: ["cache"],
    });
    expect(Object.keys(byOption.project.services)).toEqual(["api", "db", "migrate", "cache"]);
    expect(byOption.project.activeProfiles).toEqual(["cache"]);
    const byEnv = await loadComposeProject({
      files: [],
      cwd: FULL,
      env: { ...SHELL, COMPOSE_PROFILES: "tools, cache" },
    });
    expect(Object.keys(byEnv.project.disabledServices)).toEqual([]);
    const all = await loadComposeProject({ files: [], cwd: FULL, env: SHELL, profiles: ["*"] });
    expect(Object.keys(all.project.services)).toHaveLength(5);
  });
});

describe("loadComposeProject: files and project name", () => {
  it("merges -f files in order and resolves them against cwd", async () => {
    const cwd = path.join(FIXTURES, "merge");
    const { project: p } = await loadComposeProject({
      files: ["base.yml", "override.yml"],
      cwd,
      env: {},
    });
    const web = p.services.web;
    expect(web?.image).toBe("nginx:1.27");
    expect(web?.command).toEqual(["nginx-debug", "-g", "daemon off;"]);
    expect(web?.environment).toEqual({
      FROM_BASE_FILE: "1",
      SHARED: "override-file",
      FROM_OVERRIDE_FILE: "1",
      A: "base",
      B: "override",
      C: "override",
    });
    expect(web?.ports.map((x) => `${x.published}:${x.target}`)).toEqual([
      "8080:80",
      "8443:443",
      "9090:90",
    ]);
    expect(web?.volumes.map((v) => v.target)).toEqual([
      "/usr/share/nginx/html",
      "/var/log/nginx",
      "/var/cache/nginx",
    ]);
    expect(web?.volumes[0]).toMatchObject({ source: path.join(cwd, "html-dev"), readOnly: false });
    expect(web?.healthcheck).toMatchObject({ test: ["CMD", "true"], intervalMs: 5000, retries: 2 });
    expect(web?.networks.front?.aliases).toEqual(["web1", "web2"]);
    expect(web?.labels).toEqual({ tier: "override", keep: "yes" });
    expect(web?.build?.args).toEqual({ X: "1", Y: "2" });
    expect(p.services.db?.healthcheck).toEqual({ disabled: true });
    expect(p.volumes.cache).toEqual({ name: "shared-cache", external: false });
  });

  it("discovers the file in a parent directory and loads its override file after it", async () => {
    const nested = path.join(FIXTURES, "discovery", "nested", "deeper");
    expect(findComposeFile(nested)).toBe(path.join(FIXTURES, "discovery", "compose.yaml"));
    const { project: p, warnings } = await loadComposeProject({ files: [], cwd: nested, env: {} });
    expect(p.dir).toBe(path.join(FIXTURES, "discovery"));
    expect(p.services.app?.image).toBe("alpine:override");
    expect(p.services.app?.environment).toEqual({ FROM: "base", OVERRIDDEN: "yes" });
    expect(warnings).toEqual([
      "found several compose files (compose.yaml, docker-compose.yml), using compose.yaml",
    ]);
  });

  it("reads COMPOSE_FILE when no -f is given", async () => {
    const cwd = path.join(FIXTURES, "merge");
    const { project: p } = await loadComposeProject({
      files: [],
      cwd,
      env: { COMPOSE_FILE: "base.yml:override.yml", COMPOSE_PATH_SEPARATOR: ":" },
    });
    expect(p.services.web?.image).toBe("nginx:1.27");
  });

  it("fails clearly when there is no compose file", async () => {
    const dir = project({ "README.md": "none" });
    await expect(loadComposeProject({ files: [], cwd: dir, env: {} })).rejects.toThrow(
      `no compose file found in ${dir} or its parents (looked for compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml): pass one with -f`,
    );
  });

  it("names the project: option, COMPOSE_PROJECT_NAME, name:, then the directory", async () => {
    const dir = project({ "compose.yaml": "services: {a: {image: x}}\n" }, "My_App.v2");
    const load = (extra: object = {}, env: Record<string, string> = {}) =>
      loadComposeProject({ files: [], cwd: dir, env, ...extra }).then((r) => r.project.name);
    expect(await load()).toBe("my_appv2");
    expect(await load({}, { COMPOSE_PROJECT_NAME: "fromenv" })).toBe("fromenv");
    expect(await load({ projectName: "explicit" }, { COMPOSE_PROJECT_NAME: "fromenv" })).toBe(
      "explicit",
    );
    fs.writeFileSync(path.join(dir, "compose.yaml"), "name: fromfile\nservices: {a: {image: x}}\n");
    expect(await load()).toBe("fromfile");
    await expect(load({ projectName: "Bad Name" })).rejects.toThrow(
      'invalid project name "Bad Name" from the project name option: use lowercase letters, digits, "-" and "_", starting with a letter or digit',
    );
    expect(normalizeProjectName("-_Hello World!")).toBe("helloworld");
  });

  it("projectDir moves where .env, build contexts and bind mounts are resolved", async () => {
    const dir = project({
      "compose.yaml":
        'services:\n  a:\n    build: .\n    environment: ["V=${V}"]\n    volumes: ["./x:/x"]\n',
    });
    const other = project({ ".env": "V=other\n" }, "other");
    const { project: p } = await loadComposeProject({
      files: [path.join(dir, "compose.yaml")],
      projectDir: other,
      env: {},
    });
    expect(p.dir).toBe(other);
    expect(p.name).toBe("other");
    expect(p.services.a?.build?.context).toBe(other);
    expect(p.services.a?.environment).toEqual({ V: "other" });
    expect(p.services.a?.volumes[0]).toMatchObject({ source: path.join(other, "x") });
  });
});
