// Facts about this machine's runtimes for `gantry doctor`, without opening a run: the engine (if one answers),
// the sandbox the host runtime would get, and the disk under a folder.
import fs from "node:fs";
import path from "node:path";
import type { GantryEnv } from "../env.js";
import { RuntimeUnavailableError } from "../errors.js";
import type { DockerFacts } from "./docker/diagnose-docker.js";

export type { DockerFacts };
export type { BuildkitProbe } from "./docker/connection/buildkit-probe.js";

/** The engine's facts, or why none answered. */
export async function diagnoseEngine(
  env: GantryEnv,
): Promise<{ facts?: DockerFacts; problem?: string }> {
  const { diagnoseDocker } = await import("./docker/diagnose-docker.js");
  try {
    return { facts: await diagnoseDocker(env) };
  } catch (e) {
    if (e instanceof RuntimeUnavailableError) return { problem: e.message };
    return { problem: `the engine answered, but: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** What doctor learns of the host runtime's sandbox. */
export interface SandboxFacts {
  bubblewrap: boolean;
  /** Why not bubblewrap. */
  reason?: string;
  /** Whether exec roots can be overlays on the state dir's file system. */
  overlay?: boolean;
}

/**
 * Whether bubblewrap can sandbox host-runtime execs here, and if not, why; and whether their roots can be overlays
 * on the file system of `stateDir` (probed in a directory made and removed beside it).
 */
export async function diagnoseSandbox(stateDir: string): Promise<SandboxFacts> {
  const { probeBubblewrap } = await import("./host/sandbox-probe.js");
  const p = await probeBubblewrap();
  if (p.mode !== "bubblewrap") return { bubblewrap: false, reason: p.reason };
  const { probeOverlay } = await import("./host/overlay.js");
  const probeDir = await fs.promises
    .mkdtemp(path.join(nearestExisting(stateDir), ".gantry-doctor-"))
    .catch(() => undefined);
  const overlay = probeDir !== undefined && (await probeOverlay(probeDir)) !== undefined;
  return { bubblewrap: true, overlay };
}

/** Free and total bytes of the filesystem holding `dir` (or its nearest existing parent). */
export function diskSpace(dir: string): { path: string; free: number; total: number } | undefined {
  const p = nearestExisting(dir);
  try {
    const s = fs.statfsSync(p);
    return { path: p, free: s.bavail * s.bsize, total: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

/** `dir`, or its nearest parent that exists (a state dir not made yet). */
function nearestExisting(dir: string): string {
  let p = path.resolve(dir);
  while (!fs.existsSync(p) && path.dirname(p) !== p) p = path.dirname(p);
  return p;
}
