// Compares Gantry's compose model with what Debian's real docker-compose (1.29, Python) resolves
// for the same files and environment: interpolation, .env and env_file precedence, port parsing,
// durations, mounts, merging of -f files, and command splitting (docker-compose hands command
// strings to docker-py's split_command, which is Python's shlex.split). Skipped where
// docker-compose is not on PATH, except in CI (CI=true), where its absence is a failure.
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import type { ComposePort, ComposeService } from "../../src/compose/compose-types.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/compose");
const hasDockerCompose = spawnSync("docker-compose", ["version"], { stdio: "ignore" }).status === 0;
const SHELL_ENV = { SHELL_VAR: "shell", OVERRIDDEN: "from-shell", PASSTHROUGH: "pass" };

type V1Service = Record<string, unknown>;

const v1Cache = new Map<string, Record<string, V1Service>>();

// Runs `docker-compose config` in `dir` with only SHELL_ENV (plus PATH/HOME) in its environment;
// once per folder and files, as each run takes a while.
function dockerComposeConfig(dir: string, files: string[]): Record<string, V1Service> {
  const key = JSON.stringify([dir, files]);
  const cached = v1Cache.get(key);
  if (cached) return cached;
  const out = execFileSync("docker-compose", [...files.flatMap((f) => ["-f", f]), "config"], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: "/root", ...SHELL_ENV },
    encoding: "utf8",
  });
  const services = (parse(out) as { services: Record<string, V1Service> }).services;
  v1Cache.set(key, services);
  return services;
}

// docker-compose writes a literal `$` as `$$` in its output.
function unescape(s: unknown): string {
  return String(s).replaceAll("$$", "$");
}

// v1's environment with unset values (null: removed at run time) dropped and `$$` undone.
function v1Environment(svc: V1Service): Record<string, string> {
  const env = (svc.environment ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(env)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, unescape(v)]),
  );
}

// One port as "hostIp:published:target/protocol", from either side.
function portKey(p: ComposePort): string {
  return `${p.hostIp ?? ""}:${p.published ?? ""}:${p.target}/${p.protocol}`;
}
function v1PortKey(p: unknown): string {
  if (typeof p === "string") {
    const m = /^(?:([\d.]+):)?(?:(\d*):)?(\d+)(?:\/(\w+))?$/.exec(p);
    if (!m) throw new Error(`unexpected v1 port ${p}`);
    return `${m[1] ?? ""}:${m[2] ?? ""}:${m[3]}/${m[4] ?? "tcp"}`;
  }
  const o = p as { target: number; published?: number; protocol?: string; host_ip?: string };
  return `${o.host_ip ?? ""}:${o.published ?? ""}:${o.target}/${o.protocol ?? "tcp"}`;
}

// A mount as "source:target:mode" the way v1 prints short volume syntax.
function mountKey(svc: ComposeService): string[] {
  return svc.volumes.map((v) =>
    v.type === "tmpfs" ? v.target : `${v.source ?? ""}:${v.target}:${v.readOnly ? "ro" : "rw"}`,
  );
}

// Python's shlex.split via docker-py, the splitter docker-compose itself uses.
function pythonSplit(s: string): string[] {
  const code =
    "import sys, json\nfrom docker.utils import split_command\nprint(json.dumps(split_command(sys.argv[1])))";
  return JSON.parse(execFileSync("python3", ["-c", code, s], { encoding: "utf8" })) as string[];
}

// A Go/compose duration as v1 prints it ("90s", "1500ms", "2h") in milliseconds.
function durationMs(s: unknown): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const m = /^(\d+)(ms|s|m|h)$/.exec(String(s));
  if (!m) throw new Error(`unexpected v1 duration ${String(s)}`);
  return Number(m[1]) * (units[m[2] as string] as number);
}

// CI installs docker-compose (.ci/run); a CI machine without it must not pass by skipping the comparison.
it.runIf(process.env.CI === "true" || process.env.CI === "1")(
  "docker-compose is on PATH in CI, so the comparison below runs",
  () => {
    expect(
      hasDockerCompose,
      "docker-compose not found on PATH: install it (apt-get install docker-compose)",
    ).toBe(true);
  },
);

describe.skipIf(!hasDockerCompose)("compose model agrees with docker-compose 1.29", () => {
  const dir = path.join(FIXTURES, "compare");

  it("resolves environment, image, ports, healthcheck and mounts the same way", async () => {
    const v1 = dockerComposeConfig(dir, []);
    const { project } = await loadComposeProject({ files: [], cwd: dir, env: SHELL_ENV });
    for (const name of ["app", "worker"]) {
      const ours = project.services[name] as ComposeService;
      const theirs = v1[name] as V1Service;
      expect(ours.environment, name).toEqual(v1Environment(theirs));
      expect(ours.image).toBe(theirs.image);
    }
    const app = project.services.app as ComposeService;
    const v1app = v1.app as V1Service;
    expect(app.ports.map(portKey)).toEqual((v1app.ports as unknown[]).map(v1PortKey));
    expect(mountKey(app)).toEqual(v1app.volumes);
    const hc = v1app.healthcheck as Record<string, unknown>;
    expect(app.healthcheck).toEqual({
      test: hc.test,
      intervalMs: durationMs(hc.interval),
      timeoutMs: durationMs(hc.timeout),
      startPeriodMs: durationMs(hc.start_period),
      retries: hc.retries,
    });
  });

  it("splits command and entrypoint strings like shlex.split", async () => {
    const v1 = dockerComposeConfig(dir, []);
    const { project } = await loadComposeProject({ files: [], cwd: dir, env: SHELL_ENV });
    const v1app = v1.app as V1Service;
    expect(project.services.app?.command).toEqual(pythonSplit(unescape(v1app.command)));
    expect(project.services.app?.entrypoint).toEqual(pythonSplit(unescape(v1app.entrypoint)));
    expect(project.services.worker?.command).toEqual((v1.worker as V1Service).command);
  });

  it("a shell-form healthcheck test is what Docker runs with CMD-SHELL", async () => {
    const v1 = dockerComposeConfig(dir, []);
    const { project } = await loadComposeProject({ files: [], cwd: dir, env: SHELL_ENV });
    const test = (v1.worker as V1Service).healthcheck as { test: string };
    expect(project.services.worker?.healthcheck).toMatchObject({ test: ["CMD-SHELL", test.test] });
  });

  it("merges -f files like docker-compose for maps, ports, volumes, command and depends_on", async () => {
    const mergeDir = path.join(FIXTURES, "merge");
    const files = ["base.yml", "override.yml"];
    const v1 = dockerComposeConfig(mergeDir, files);
    const { project } = await loadComposeProject({ files, cwd: mergeDir, env: SHELL_ENV });
    const web = project.services.web as ComposeService;
    const v1web = v1.web as V1Service;
    expect(web.environment).toEqual(v1Environment(v1web));
    expect(web.labels).toEqual(v1web.labels);
    expect(web.image).toBe(v1web.image);
    expect(web.command).toEqual(pythonSplit(unescape(v1web.command)));
    // v1 sorts merged ports by target; Gantry keeps file order, so compare as sets.
    expect(web.ports.map(portKey).sort()).toEqual((v1web.ports as unknown[]).map(v1PortKey).sort());
    expect(mountKey(web).sort()).toEqual((v1web.volumes as string[]).sort());
    expect(web.expose.map(String).sort()).toEqual((v1web.expose as unknown[]).map(String).sort());
    expect(Object.keys(web.dependsOn).sort()).toEqual(
      Object.keys(v1web.depends_on as object).sort(),
    );
    expect(web.build?.args).toEqual((v1web.build as { args: unknown }).args);
    expect(web.networks.front?.aliases.sort()).toEqual(
      ((v1web.networks as Record<string, { aliases: string[] }>).front?.aliases ?? []).sort(),
    );
    const hc = v1web.healthcheck as Record<string, unknown>;
    expect(web.healthcheck).toMatchObject({ test: hc.test, intervalMs: durationMs(hc.interval) });
    expect(project.services.db?.healthcheck).toEqual({ disabled: true });
  });

  it("both refuse a missing ${VAR:?message}", async () => {
    const errDir = path.join(FIXTURES, "required-missing");
    const v1 = spawnSync("docker-compose", ["config"], {
      cwd: errDir,
      env: { PATH: process.env.PATH, HOME: "/root" },
      encoding: "utf8",
    });
    expect(v1.status).not.toBe(0);
    expect(v1.stderr).toContain("set DB_PASSWORD in your shell or .env");
    await expect(loadComposeProject({ files: [], cwd: errDir, env: {} })).rejects.toThrow(
      "docker-compose.yml: services.db.environment.POSTGRES_PASSWORD: required variable DB_PASSWORD is not set: set DB_PASSWORD in your shell or .env",
    );
  });
});
