// `up --detach` runs a background `up` that owns the project's containers; `down` stops it, and it cleans up as on Ctrl-C.
import path from "node:path";
import { spawn } from "node:child_process";
import { mkdir, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import type { ComposeProject } from "../../compose/index.js";
import type { CliIo } from "../cli-io.js";
import { ComposeError } from "../../errors.js";
import { processArgs, processIsAlive } from "../../process-alive.js";
import type { GantryEnv } from "../../env.js";
import type { Removed } from "../../runtime/docker/run-cleanup.js";

function files(project: ComposeProject) {
  const dir = path.join(project.dir, ".gantry", "compose");
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
  const f = files(project);
  await mkdir(f.dir, { recursive: true });
  if (await alive(f.pid))
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
  for (;;) {
    if (await exists(f.ready)) break;
    if (child.exitCode !== null || !(await alive(f.pid))) {
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
  return `compose project ${project.name} is up in the background (pid ${child.pid}); logs: ${f.log}; stop it with: gantry compose down`;
}

/** Stop a detached project: the background `up` removes its containers and networks on SIGTERM. */
export async function stopDetached(project: ComposeProject, env: GantryEnv): Promise<string> {
  const f = files(project);
  const pid = Number(await readFile(f.pid, "utf8").catch(() => ""));
  if (!pid) return `compose project ${project.name} is not running`;
  if (!(await alive(f.pid))) {
    // The background `up` died without cleaning up (killed, machine slept): remove what it left.
    const removed = await reapDead(env);
    await rm(f.pid, { force: true });
    await rm(f.ready, { force: true });
    const what = removed.containers + removed.networks + removed.volumes;
    return `compose project ${project.name} was not running (pid ${pid} had exited)${
      what
        ? `; removed ${removed.containers} container(s) and ${removed.networks} network(s) it left`
        : ""
    }`;
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (await alive(f.pid)))
    await new Promise((r) => setTimeout(r, 200));
  if (await alive(f.pid))
    throw new ComposeError(`compose project ${project.name} (pid ${pid}) did not stop within 60 s`);
  await rm(f.pid, { force: true });
  await rm(f.ready, { force: true });
  return `compose project ${project.name} stopped and removed`;
}

async function reapDead(env: GantryEnv): Promise<Removed> {
  const { connectDocker } = await import("../../runtime/docker/connect-docker.js");
  const { reapStale } = await import("../../runtime/docker/reaper.js");
  const conn = await connectDocker(env);
  return reapStale(conn.docker);
}

// The background `up` of this project is running: its pid is alive (not a zombie) and, where /proc says, the process
// is that `up` (a recycled pid of some other program is not signalled).
async function alive(pidFile: string): Promise<boolean> {
  const pid = Number(await readFile(pidFile, "utf8").catch(() => ""));
  if (!pid || !processIsAlive(pid)) return false;
  const args = processArgs(pid);
  const ready = pidFile.replace(/\.pid$/, ".ready");
  return args === undefined || args.includes(ready);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
