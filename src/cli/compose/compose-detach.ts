// `up --detach` runs a background `up` that owns the project's containers; `down` stops it, and it cleans up as on Ctrl-C.
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { open, readFile, rm, stat, writeFile } from "node:fs/promises";
import type { ComposeProject } from "../../compose/index.js";
import type { CliIo } from "../cli-io.js";
import { ComposeError } from "../../errors.js";
import { processArgs, processIsAlive } from "../../process-alive.js";
import type { GantryEnv } from "../../env.js";
import { openEngineResources, type EngineResources } from "../../runtime/engine-resources.js";
import { composeLabels } from "../../compose/run/service-container.js";
import { installInterrupts } from "../../engine/api/index.js";
import { plural } from "../format-table.js";
import { ensureProjectDir, projectStateDir } from "../../store/project-state-dir.js";

// The background `up`'s pid, log and ready marker: in Gantry's state dir for the project, never in the project.
function files(project: ComposeProject, stateDir: string) {
  const dir = path.join(projectStateDir(stateDir, project.dir), "compose");
  return {
    dir,
    pid: path.join(dir, `${project.name}.pid`),
    log: path.join(dir, `${project.name}.log`),
    ready: path.join(dir, `${project.name}.ready`),
  };
}

/** Start the background `up`, wait until it says everything is up, and leave it running. */
export async function detachUp(
  project: ComposeProject,
  rest: readonly string[],
  io: CliIo,
): Promise<string> {
  const f = files(project, io.env.stateDir);
  ensureProjectDir(io.env.stateDir, project.dir, "compose");
  if (await runningUp(f))
    throw new ComposeError(`compose project ${project.name} is already up in the background`, {
      hint: "run gantry compose down first",
    });
  await rm(f.ready, { force: true });
  const log = await open(f.log, "w");
  const argv = [
    process.argv[1] as string,
    "--progress=plain",
    "compose",
    ...rest.filter((a) => a !== "-d" && a !== "--detach"),
    "--ready-file",
    f.ready,
  ];
  const child = spawn(process.execPath, argv, {
    cwd: io.cwd,
    detached: true,
    stdio: ["ignore", log.fd, log.fd],
    env: process.env,
  });
  await log.close();
  child.unref();
  await writeFile(f.pid, String(child.pid));
  let stopping = false;
  // The background `up` is in its own process group, so Ctrl-C here does not reach it: while it is coming up it is
  // this command's work, and stopping the command stops it (it removes its containers and network as on Ctrl-C).
  const uninstall = installInterrupts({
    signals: io.signals,
    exit: io.exit,
    say: (t) => io.stderr.write(t),
    shutdown: () => {
      stopping = true;
      return stopBackgroundUp(f, child.pid);
    },
  });
  try {
    await waitUntilUp(project, f, child, () => stopping);
  } finally {
    uninstall();
  }
  return `compose project ${project.name} is up in the background (pid ${child.pid}); logs: ${f.log}; stop it with: gantry compose down`;
}

// Until the background `up` writes its ready file; its log's last lines when it exits first.
async function waitUntilUp(
  project: ComposeProject,
  f: ReturnType<typeof files>,
  child: ChildProcess,
  stopping: () => boolean,
): Promise<void> {
  for (;;) {
    // Interrupted: the background `up` ends because it was told to, not as a failure; the interrupt exits.
    if (stopping()) return new Promise<never>(() => undefined);
    if (await exists(f.ready)) return;
    if (child.exitCode !== null || !(await runningUp(f))) {
      await rm(f.pid, { force: true });
      const tail = (await readFile(f.log, "utf8").catch(() => ""))
        .trimEnd()
        .split("\n")
        .slice(-20)
        .join("\n");
      throw new ComposeError(`compose project ${project.name} failed to come up\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// SIGTERM, then wait (as `down` does, up to 60 s) for it to clean up and exit.
async function stopBackgroundUp(
  f: ReturnType<typeof files>,
  pid: number | undefined,
): Promise<void> {
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return; // it ended on its own meanwhile
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && processIsAlive(pid)) await new Promise((r) => setTimeout(r, 200));
  await rm(f.pid, { force: true });
  await rm(f.ready, { force: true });
}

/**
 * `compose down`: stop every Gantry compose process that runs this project — the detached `up`, and foreground
 * `up`/`run`s in other terminals (found by the project labels on their containers) — which remove their containers
 * and networks as on Ctrl-C; then remove what killed ones left. Pipelines (`gantry call`) using the project are
 * left alone. Named volumes stay, as with `docker compose down`.
 */
export async function composeDown(project: ComposeProject, env: GantryEnv): Promise<string> {
  const f = files(project, env.stateDir);
  const engine = await openEngineResources(env);
  const pids = new Set<number>();
  const detached = await runningUp(f);
  if (detached) pids.add(detached);
  for (const { pid } of await projectContainers(engine, project)) {
    if (pid && processIsAlive(pid) && isComposeCommand(processArgs(pid))) pids.add(pid);
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ESRCH")
        pids.delete(pid); // it ended on its own meanwhile
      else
        throw new ComposeError(
          `compose project ${project.name}: cannot stop pid ${pid} (${code ?? String(err)})`,
          { hint: "it belongs to another user (sudo?): stop it as that user" },
        );
    }
  }
  const deadline = Date.now() + 60_000;
  const running = (): number[] => [...pids].filter((p) => processIsAlive(p));
  while (Date.now() < deadline && running().length > 0)
    await new Promise((r) => setTimeout(r, 200));
  if (running().length > 0)
    throw new ComposeError(
      `compose project ${project.name}: pid ${running().join(", ")} did not stop within 60 s`,
      {
        hint: "stop it with Ctrl-C in its terminal, or kill it; the next run removes what it leaves",
      },
    );
  // Containers of this project still there belong to killed processes (reaped, as every run does when it opens)
  // or to a running pipeline (left alone).
  const leftovers = await projectContainers(engine, project);
  const reaped = leftovers.length > 0 ? await engine.reapStale() : undefined;
  await rm(f.pid, { force: true });
  await rm(f.ready, { force: true });
  const others = (await projectContainers(engine, project)).length;
  const parts: string[] = [];
  if (pids.size > 0)
    parts.push(
      `stopped ${plural(pids.size, "gantry compose process", "es")} (pid ${[...pids].join(", ")})`,
    );
  if (reaped && reaped.containers > 0)
    parts.push(`removed ${plural(reaped.containers, "container")} that exited runs left`);
  if (others > 0)
    parts.push(
      `left ${plural(others, "container")} of a running pipeline (gantry call) alone: it removes them when it ends`,
    );
  return parts.length === 0
    ? `compose project ${project.name} is not running`
    : `compose project ${project.name} stopped and removed: ${parts.join("; ")}`;
}

// Containers on this machine labelled with this project (by name and directory).
function projectContainers(engine: EngineResources, project: ComposeProject) {
  return engine.containers(composeLabels(project));
}

// `gantry compose up|run …` (the CLI), not a pipeline that happens to use the project.
function isComposeCommand(args: string[] | undefined): boolean {
  return args !== undefined && args.includes("compose");
}

// The pid of this project's background `up` while it runs: alive (not a zombie) and, where the system says, really
// that `up` (its arguments name our ready file), so a recycled pid of some other program is never signalled.
async function runningUp(f: ReturnType<typeof files>): Promise<number | undefined> {
  const pid = Number(await readFile(f.pid, "utf8").catch(() => ""));
  if (!pid || !processIsAlive(pid)) return undefined;
  const args = processArgs(pid);
  return args === undefined || args.join(" ").includes(f.ready) ? pid : undefined;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
