// Open real Gantry runs for tests: a real runtime, a temp state dir, and every event kept for assertions.
import { mkdtemp } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { openSession, type RuntimeChoice } from "../../src/engine/open-session.js";
import { readEnv } from "../../src/env.js";
import type { RunEvent } from "../../src/engine/events.js";
import type { Session } from "../../src/engine/session.js";

export const BUSYBOX = "gantry-test/busybox:latest";
export const DEBIAN = "gantry-test/debian:bookworm";
export const NODE = "gantry-test/node:bookworm";
export const POSTGRES = "gantry-test/postgres:15";

export interface TestRun<T> {
  value: T;
  events: RunEvent[];
  session: Session;
}

export async function makeStateDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), "gantry-state-"));
}

/** Run fn in a fresh session on the given runtime; the session is closed afterwards. */
export async function runIn<T>(
  runtime: RuntimeChoice,
  stateDir: string,
  fn: () => Promise<T>,
  cwd?: string,
): Promise<TestRun<T>> {
  const events: RunEvent[] = [];
  const env = { ...readEnv(), stateDir };
  const { session } = await openSession({
    runtime,
    projectDir: cwd ?? process.cwd(),
    cwd,
    env,
    events: { emit: (e) => events.push(e) },
  });
  try {
    const value = await session.run(fn);
    return { value, events, session };
  } finally {
    await session.close();
  }
}

/** Steps that really ran (not from cache) in a run's events. */
export function executed(events: RunEvent[]): string[] {
  const names = new Map<string, string>();
  const out: string[] = [];
  for (const e of events) {
    if (e.type === "step.start" && e.kind === "exec") names.set(e.id, e.name);
    if (e.type === "step.end" && names.has(e.id) && e.status === "done") out.push(names.get(e.id)!);
  }
  return out;
}

export function dockerAvailable(): boolean {
  try {
    execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], {
      stdio: "pipe",
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

export function docker(args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

/** Remove a project's development database volumes (`gantry-cache-<name>-postgres-data-<project id>`), every checkout's. */
export function removeDevDataVolumes(name: string): void {
  const prefix = `gantry-cache-${name}-postgres-data`;
  const found = docker(["volume", "ls", "-q", "--filter", `name=${prefix}`])
    .split("\n")
    .filter((v) => v.startsWith(prefix));
  if (found.length > 0) docker(["volume", "rm", "-f", ...found]);
}

/** Run a command without blocking the test worker (a long spawnSync starves vitest's RPC); status and all output. */
export function runCommand(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number | null; stdout: string; stderr: string; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, CI: "true", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, out: stdout + stderr });
    });
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** Listen on a free loopback port; the server's port. */
export async function listenLoopback(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as net.AddressInfo).port;
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}
