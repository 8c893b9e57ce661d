// Every way a compose project can be malformed: each error is a ComposeError whose message names
// the file, the key path in it and what was expected.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ComposeError } from "../../src/errors.js";
import { loadComposeProject } from "../../src/compose/load-compose.js";

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-compose-errors-"));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

// Loads `compose` as docker-compose.yml (plus `extra` files) from a fresh folder.
async function load(
  compose: string,
  extra: Record<string, string> = {},
  env: Record<string, string> = {},
) {
  const dir = fs.mkdtempSync(path.join(tmpRoot, "p-"));
  for (const [f, text] of Object.entries({ "docker-compose.yml": compose, ...extra })) {
    fs.writeFileSync(path.join(dir, f), text);
  }
  const files = Object.keys(extra).filter((f) => f.endsWith(".yml") && f !== "docker-compose.yml");
  return loadComposeProject({
    files: files.length > 0 ? ["docker-compose.yml", ...files] : [],
    cwd: dir,
    env,
  });
}

// The message of the ComposeError that loading `compose` fails with.
async function failure(
  compose: string,
  extra?: Record<string, string>,
  env?: Record<string, string>,
) {
  try {
    await load(compose, extra, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ComposeError);
    return (e as ComposeError).message;
  }
  throw new Error("expected the project to fail to load");
}

// A one-service file whose service body is `body` (indented under `services.api`).
function api(body: string, rest = ""): string {
  return `services:\n  api:\n${body.replace(/^/gm, "    ")}\n${rest}`;
}

describe("YAML and file errors", () => {
  it("names the line and column of a syntax error", async () => {
    expect(await failure("services:\n  api:\n    image: [x\n")).toMatch(
      /^docker-compose\.yml:4:1: invalid YAML: /,
    );
    expect(await failure("services:\n  api:\n    image: a\n    image: b\n")).toBe(
      "docker-compose.yml:4:5: invalid YAML: Map keys must be unique",
    );
  });

  it("rejects a document that is not a mapping, and a missing -f file", async () => {
    expect(await failure("- a\n")).toBe(
      "docker-compose.yml: expected a mapping with a services key at the top level, got a list",
    );
    expect(await failure("")).toBe(
      "docker-compose.yml: expected a mapping with a services key at the top level, got an empty value",
    );
    const dir = fs.mkdtempSync(path.join(tmpRoot, "nofile-"));
    await expect(loadComposeProject({ files: ["nope.yml"], cwd: dir, env: {} })).rejects.toThrow(
      "cannot read compose file nope.yml: no such file",
    );
  });

  it("rejects a project without services", async () => {
    expect(await failure("services: {}\n")).toBe(
      "docker-compose.yml: services: expected at least one service",
    );
    expect(await failure("services: [api]\n")).toBe(
      "docker-compose.yml: services: expected a mapping, got a list",
    );
    expect(await failure("services:\n  api: nginx\n")).toBe(
      'docker-compose.yml: services.api: expected a mapping, got "nginx"',
    );
    expect(await failure("services:\n  my api:\n    image: x\n")).toBe(
      "docker-compose.yml: services.my api: expected a service name made of letters, digits and _ . - (starting with a letter or digit)",
    );
  });
});

describe("interpolation errors", () => {
  it("a missing ${VAR:?message} names the file, the key path and the message", async () => {
    const compose =
      "services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: ${PW:?set PW in .env}\n";
    expect(await failure(compose)).toBe(
      "docker-compose.yml: services.db.environment.POSTGRES_PASSWORD: required variable PW is not set: set PW in .env",
    );
    expect(await failure(compose, {}, { PW: "" })).toBe(
      "docker-compose.yml: services.db.environment.POSTGRES_PASSWORD: required variable PW is empty: set PW in .env",
    );
    // `?` without a colon accepts an empty value.
    const loaded = await load(compose.replace(":?", "?"), {}, { PW: "" });
    expect(loaded.project.services.db?.environment).toEqual({ POSTGRES_PASSWORD: "" });
  });

  it("the list form of environment is reported under the variable's name", async () => {
    expect(await failure(api("image: x\nenvironment:\n  - A=1\n  - TOKEN=${TOKEN?}"))).toBe(
      "docker-compose.yml: services.api.environment.TOKEN: required variable TOKEN is not set",
    );
    expect(await failure(api('image: x\nports: ["80", "${P:?}:80"]'))).toBe(
      "docker-compose.yml: services.api.ports[1]: required variable P is not set",
    );
  });

  it("rejects malformed $ expressions", async () => {
    const bad = (s: string) => failure(api(`image: x\ncommand: '${s}'`));
    const msg = (s: string) =>
      `docker-compose.yml: services.api.command: invalid interpolation format in ${JSON.stringify(s)}: use $$ for a literal $`;
    for (const s of ["echo $1", "echo ${A B}", "echo ${A", "echo ${}", "a $", "${A:x}"]) {
      expect(await bad(s)).toBe(msg(s));
    }
  });

  it("names the .env line of a bad .env file", async () => {
    expect(await failure(api("image: x"), { ".env": 'A=1\nB="open\n' })).toBe(
      ".env: line 2: unterminated double-quoted value",
    );
    expect(await failure(api("image: x"), { ".env": "1BAD=x\n" })).toBe(
      '.env: line 1: expected KEY=VALUE, got "1BAD=x"',
    );
  });

  it("an error in a later -f file names that file", async () => {
    expect(
      await failure(api("image: x"), { "override.yml": "services:\n  api:\n    ports: [abc]\n" }),
    ).toBe(
      'override.yml: services.api.ports[0]: expected a port number between 1 and 65535, got "abc"',
    );
  });
});

describe("type errors", () => {
  const cases: [string, string, string][] = [
    ["image: [x]", "services.api.image", "expected a string, got a list"],
    ["image: x\nworking_dir: 5", "services.api.working_dir", "expected a string, got 5"],
    ["image: x\nuser: [a]", "services.api.user", "expected a string or a number, got a list"],
    [
      "image: x\ncommand: {a: 1}",
      "services.api.command",
      "expected a string or a list of strings, got a mapping",
    ],
    [
      "image: x\ncommand: sh -c 'echo",
      "services.api.command",
      `unterminated single quote in command string "sh -c 'echo"`,
    ],
    [
      "image: x\nentrypoint: [[a]]",
      "services.api.entrypoint[0]",
      "expected a string or a number, got a list",
    ],
    [
      "image: x\nenvironment: A=1",
      "services.api.environment",
      'expected a mapping or a list of KEY=VALUE strings, got "A=1"',
    ],
    [
      "image: x\nenvironment: {A: {b: 1}}",
      "services.api.environment.A",
      "expected a string or a number, got a mapping",
    ],
    [
      "image: x\nenvironment: ['=x']",
      "services.api.environment[0]",
      'expected KEY=VALUE, got "=x"',
    ],
    ["image: x\nlabels: [1]", "services.api.labels[0]", "expected a string, got 1"],
    ["image: x\nenv_file: 3", "services.api.env_file", "expected a path or a list of paths, got 3"],
    [
      "image: x\nenv_file: [{required: false}]",
      "services.api.env_file[0]",
      'missing required key "path"',
    ],
    [
      "image: x\nenv_file: [{path: a, required: maybe}]",
      "services.api.env_file[0].required",
      'expected true or false, got "maybe"',
    ],
    ["image: x\nprofiles: debug", "services.api.profiles", 'expected a list, got "debug"'],
    [
      "image: x\nprofiles: ['-x']",
      "services.api.profiles[0]",
      'expected a profile name (letters, digits, _ . -), got "-x"',
    ],
    [
      "image: x\nexpose: [http]",
      "services.api.expose[0]",
      'expected a port number between 1 and 65535, got "http"',
    ],
    ["build: {context: 3}", "services.api.build.context", "expected a string, got 3"],
    ["build: [a]", "services.api.build", "expected a path or a mapping, got a list"],
    [
      "build: {args: A}",
      "services.api.build.args",
      'expected a mapping or a list of KEY=VALUE strings, got "A"',
    ],
    [
      "build: https://github.com/a/b.git",
      "services.api.build",
      "remote build contexts are not supported by Gantry (https://github.com/a/b.git): clone it and use a local path",
    ],
  ];
  it.each(cases)("%s → %s", async (body, where, what) => {
    expect(await failure(api(body))).toBe(`docker-compose.yml: ${where}: ${what}`);
  });
});

describe("depends_on errors", () => {
  it("rejects an unknown condition, with the expected values", async () => {
    const compose =
      "services:\n  api:\n    image: x\n    depends_on:\n      db:\n        condition: service_ready\n  db:\n    image: y\n";
    expect(await failure(compose)).toBe(
      'docker-compose.yml: services.api.depends_on.db.condition: expected one of service_started, service_healthy, service_completed_successfully, got "service_ready"',
    );
  });

  it("rejects a dependency on an undefined service; an optional one is dropped with a warning", async () => {
    expect(await failure(api("image: x\ndepends_on: [db, nope]", "  db:\n    image: y\n"))).toBe(
      'docker-compose.yml: services.api.depends_on[1]: depends on service "nope", which is not defined (services: api, db)',
    );
    const { project, warnings } = await load(
      api("image: x\ndepends_on:\n  nope:\n    required: false"),
    );
    expect(project.services.api?.dependsOn).toEqual({});
    expect(warnings).toEqual([
      'docker-compose.yml: services.api.depends_on.nope: optional dependency "nope" is not defined, ignored',
    ]);
    expect(await failure(api("image: x\ndepends_on: db"))).toBe(
      'docker-compose.yml: services.api.depends_on: expected a list of service names or a mapping, got "db"',
    );
  });

  it("rejects a dependency cycle, naming it", async () => {
    const compose =
      "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n";
    expect(await failure(compose)).toBe(
      "docker-compose.yml: services.a.depends_on: services depend on each other in a cycle: a -> b -> c -> a",
    );
    expect(await failure(api("image: x\ndepends_on: [api]"))).toBe(
      "docker-compose.yml: services.api.depends_on: services depend on each other in a cycle: api -> api",
    );
  });
});

describe("service content errors", () => {
  it("a service needs an image or a build", async () => {
    expect(await failure(api("command: [a]"))).toBe(
      "docker-compose.yml: services.api: a service needs an image or a build section, and this one has neither",
    );
  });

  const cases: [string, string, string][] = [
    [
      'ports: ["abc:80"]',
      "services.api.ports[0]",
      'expected a port number between 1 and 65535, got "abc" in "abc:80"',
    ],
    [
      'ports: ["8080:70000"]',
      "services.api.ports[0]",
      'expected a port number between 1 and 65535, got "70000" in "8080:70000"',
    ],
    ["ports: [0]", "services.api.ports[0]", "expected a port number between 1 and 65535, got 0"],
    [
      "ports: [80.5]",
      "services.api.ports[0]",
      "expected a port number between 1 and 65535, got 80.5",
    ],
    [
      'ports: ["1:2:3:4"]',
      "services.api.ports[0]",
      'expected "80", "8080:80" or "127.0.0.1:8080:80/udp", got "1:2:3:4"',
    ],
    [
      'ports: ["80:"]',
      "services.api.ports[0]",
      'expected "80", "8080:80" or "127.0.0.1:8080:80/udp", got "80:"',
    ],
    ['ports: ["80/sctp"]', "services.api.ports[0]", 'expected one of tcp, udp, got "sctp"'],
    [
      'ports: ["9000-9001:80"]',
      "services.api.ports[0]",
      'published range and target range differ in length in "9000-9001:80" (Gantry publishes each target port on exactly one host port)',
    ],
    ['ports: ["90-80"]', "services.api.ports[0]", 'port range "90-80" ends before it starts'],
    ["ports: [{published: 80}]", "services.api.ports[0]", 'missing required key "target"'],
    [
      "ports: [{target: http}]",
      "services.api.ports[0].target",
      'expected a port number between 1 and 65535, got "http"',
    ],
    [
      "ports: [true]",
      "services.api.ports[0]",
      'expected a port like "80", "8080:80" or "127.0.0.1:8080:80/udp", or a mapping, got true',
    ],
    ["ports: 80", "services.api.ports", "expected a list, got 80"],
    [
      "healthcheck: {test: [curl, x]}",
      "services.api.healthcheck.test[0]",
      'expected one of CMD, CMD-SHELL, NONE, got "curl"',
    ],
    [
      "healthcheck: {test: []}",
      "services.api.healthcheck.test[0]",
      "expected one of CMD, CMD-SHELL, NONE, got an empty value",
    ],
    [
      "healthcheck: {interval: 10}",
      "services.api.healthcheck.interval",
      "expected a duration like 30s, 1m30s or 500ms, got 10",
    ],
    [
      "healthcheck: {timeout: 5 seconds}",
      "services.api.healthcheck.timeout",
      'expected a duration like 30s, 1m30s or 500ms, got "5 seconds"',
    ],
    [
      "healthcheck: {retries: -1}",
      "services.api.healthcheck.retries",
      "expected a whole number, got -1",
    ],
    [
      "healthcheck: {disable: yes}",
      "services.api.healthcheck.disable",
      'expected true or false, got "yes"',
    ],
    ["healthcheck: CMD true", "services.api.healthcheck", 'expected a mapping, got "CMD true"'],
    [
      'volumes: ["data:/data"]',
      "services.api.volumes[0]",
      'volume "data" is not declared under the top-level volumes key',
    ],
    [
      'volumes: ["./x:data"]',
      "services.api.volumes[0]",
      'expected an absolute path in the container, got "data"',
    ],
    [
      'volumes: ["data/x:/x"]',
      "services.api.volumes[0]",
      'expected a volume name or a host path starting with /, ./ or ~, got "data/x"',
    ],
    [
      'volumes: ["./x:/x:rx"]',
      "services.api.volumes[0]",
      'expected a mode like ro or rw, got "rx"',
    ],
    [
      'volumes: ["a:b:c:d"]',
      "services.api.volumes[0]",
      'expected "TARGET", "SOURCE:TARGET" or "SOURCE:TARGET:MODE", got "a:b:c:d"',
    ],
    [
      "volumes: [{source: ./x, target: /x}]",
      "services.api.volumes[0]",
      'missing required key "type"',
    ],
    [
      "volumes: [{type: npipe, target: /x}]",
      "services.api.volumes[0].type",
      'expected one of volume, bind, tmpfs, got "npipe"',
    ],
    [
      "volumes: [{type: bind, target: /x}]",
      "services.api.volumes[0]",
      'missing required key "source"',
    ],
    [
      "volumes: [{type: bind, source: ., target: /x, read_only: 1}]",
      "services.api.volumes[0].read_only",
      "expected true or false, got 1",
    ],
    [
      'volumes: ["./a:/x", "./b:/x"]',
      "services.api.volumes[1]",
      "/x is mounted twice in this service",
    ],
    [
      "tmpfs: [run]",
      "services.api.tmpfs[0]",
      'expected an absolute path in the container, got "run"',
    ],
    [
      "networks: [front]",
      "services.api.networks[0]",
      'network "front" is not declared under the top-level networks key',
    ],
    [
      "networks: {front: {aliases: a}}",
      "services.api.networks.front.aliases",
      'expected a list, got "a"',
    ],
    [
      "networks: front",
      "services.api.networks",
      'expected a list of network names or a mapping, got "front"',
    ],
    [
      "env_file: missing.env",
      "services.api.env_file",
      "env file missing.env not found (set required: false to make it optional)",
    ],
  ];
  it.each(cases)("%s → %s", async (body, where, what) => {
    expect(await failure(api(`image: x\n${body}`))).toBe(`docker-compose.yml: ${where}: ${what}`);
  });
});

describe("top-level definitions", () => {
  it("checks volumes and networks definitions", async () => {
    expect(await failure(api("image: x", "volumes:\n  data: big\n"))).toBe(
      'docker-compose.yml: volumes.data: expected a mapping, got "big"',
    );
    expect(await failure(api("image: x", "networks:\n  front:\n    external: maybe\n"))).toBe(
      'docker-compose.yml: networks.front.external: expected true, false or a mapping, got "maybe"',
    );
    expect(await failure(api("image: x", "name: 5\n"))).toBe(
      "docker-compose.yml: name: expected a string, got 5",
    );
  });
});
