// `gantry compose up|run|down|config`: a docker-compose project on Gantry's engine.
import { writeFile } from "node:fs/promises";
import {
  loadComposeProject,
  renderComposeConfig,
  selectServices,
  type ComposeProject,
} from "../../compose/index.js";
import type { CliIo } from "../cli-io.js";
import type { ErrorContext } from "../error-context.js";
import type { GlobalOptions } from "../global-flags.js";
import { withCliRun } from "../cli-run.js";
import { UsageError } from "../../errors.js";
import { COMPOSE_HELP, parseComposeArgs, type ComposeArgs } from "./compose-args.js";
import { composeDown, detachUp } from "./compose-detach.js";

/** Run `gantry compose …`; `rest` is everything after the word `compose`. */
export async function runCompose(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
  errors: ErrorContext,
): Promise<number> {
  const args = parseComposeArgs(rest, globals);
  if (args.help || globals.help) {
    io.stdout.write(COMPOSE_HELP);
    return 0;
  }
  const { project, warnings } = await loadComposeProject({
    files: args.files,
    projectName: args.projectName,
    projectDir: args.projectDirectory,
    profiles: args.profiles.length ? args.profiles : undefined,
    env: io.hostEnv,
    cwd: io.cwd,
  });
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
  // Unknown service names and dependency cycles are reported before anything starts (or a background up is spawned).
  if (args.sub === "up" || args.sub === "run") selectServices(project, args.services);
  // Compose services are containers on a network: the host runtime has neither, so there is no fallback to it.
  if (args.sub === "up" || args.sub === "run") {
    if (globals.runtime === "host")
      throw new UsageError(
        "gantry compose runs services in containers: it needs the docker runtime",
        {
          hint: "drop --runtime=host (or GANTRY_RUNTIME=host) and start Docker",
        },
      );
    globals = { ...globals, runtime: "docker" };
  }
  switch (args.sub) {
    case "config":
      io.stdout.write(renderComposeConfig(project));
      return 0;
    case "down":
      io.stdout.write((await composeDown(project, io.env)) + "\n");
      return 0;
    case "up":
      if (args.detach) {
        io.stdout.write((await detachUp(project, rest, io)) + "\n");
        return 0;
      }
      return up(globals, io, errors, project, args);
    case "run":
      return run(globals, io, errors, project, args);
  }
}

async function up(
  globals: GlobalOptions,
  io: CliIo,
  errors: ErrorContext,
  project: ComposeProject,
  args: ComposeArgs,
): Promise<number> {
  const { ComposeRunner } = await import("../../compose/run/compose-runner.js");
  await withCliRun(
    { globals, io, errors, projectDir: project.dir, label: `compose up ${project.name}` },
    async (session) => {
      const runner = new ComposeRunner(project, { publish: true, startedIsReady: true });
      const { services, jobs } = await runner.up(args.services);
      const lines = services.map(({ name, svc }) => {
        // What the file publishes (`ports:`); `expose:` ports stay private, as in docker compose.
        const published = new Set(
          (project.services[name]?.ports ?? []).map((p) => `${p.target}/${p.protocol}`),
        );
        // Where the engine really bound them (0.0.0.0 for all interfaces), as `docker ps` shows, not where Gantry dials.
        const bound = svc.running.boundPorts ?? {};
        const ports = Object.entries(svc.running.hostPorts)
          .filter(([p]) => published.has(p))
          .map(([p, hp]) => `${bound[p] ?? `${hp.host}:${hp.port}`}→${p}`);
        return `${name}: up${ports.length ? ` (${ports.join(", ")})` : ""}`;
      });
      for (const j of jobs) lines.push(`${j.name}: exited with code ${j.result.exitCode}`);
      io.stdout.write(lines.join("\n") + "\n");
      if (args.readyFile) await writeFile(args.readyFile, String(process.pid));
      io.stderr.write(`compose project ${project.name} is up; Ctrl-C stops and removes it\n`);
      // Every service's output, as docker compose prints it: `name | line`, from the service's start.
      const { followServiceLogs, serviceState } = await import("../../engine/api/index.js");
      const width = Math.max(...services.map((x) => x.name.length), 1);
      for (const { name, svc } of services)
        void followServiceLogs(svc.running.id, (line) =>
          io.stdout.write(`${name.padEnd(width)} | ${line}\n`),
        )
          .then(async () => {
            if (session.signal.aborted) return;
            const st = await serviceState(svc.running.id);
            if (!st.running) io.stdout.write(`${name} exited with code ${st.exitCode ?? "?"}\n`);
          })
          .catch(() => undefined);
      // A pending promise does not keep Node alive; without stdin (a detached `up`) nothing else does.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      await new Promise<void>((resolve) =>
        session.signal.addEventListener("abort", () => resolve(), { once: true }),
      ).finally(() => clearInterval(keepAlive));
      return undefined;
    },
  );
  return 0;
}

async function run(
  globals: GlobalOptions,
  io: CliIo,
  errors: ErrorContext,
  project: ComposeProject,
  args: ComposeArgs,
): Promise<number> {
  const { ComposeRunner } = await import("../../compose/run/compose-runner.js");
  const name = args.services[0] as string;
  let exitCode = 0;
  await withCliRun(
    { globals, io, errors, projectDir: project.dir, label: `compose run ${name}` },
    async () => {
      const r = await new ComposeRunner(project, { publish: false, startedIsReady: true }).run(
        name,
        args.command?.length ? args.command : undefined,
      );
      exitCode = r.exitCode;
      if (r.exitCode !== 0) io.stderr.write(`${name} exited with code ${r.exitCode}\n`);
      return r.logs;
    },
  );
  return exitCode;
}
