// The engine's leaves for Container: each evaluator of the SDK's Container is one call here.
import path from "node:path";
import type { ContainerState, ExecNode } from "../nodes.js";
import { openTerminals } from "../evaluate/terminal.js";
import { requireSession } from "../session.js";
import { runExec, type ExecResult } from "../evaluate/exec.js";
import {
  containerSnapshot,
  resolveConfig,
  fsDigest,
  materializeOps,
} from "../evaluate/container.js";
import { stopIfDryRun, timedStep } from "../evaluate/steps.js";
import { mountTarget } from "../evaluate/mounts.js";
import { digestOf } from "../../store/digest.js";
import type { ImageConfig } from "../../runtime/runtime.js";
import { UsageError } from "../../errors.js";

/** Evaluate the container: its last exec (if any) and its filesystem. */
export async function syncContainer(state: ContainerState): Promise<void> {
  const s = requireSession("Container.sync");
  await containerSnapshot(s, state);
  if (state.terminals?.length) await openTerminals(s, state.terminals);
}

/** The result of the container's last withExec. */
export async function lastExec(state: ContainerState, what: string): Promise<ExecResult> {
  const s = requireSession(`Container.${what}`);
  const exec: ExecNode | undefined = state.lastExec;
  if (!exec)
    throw new UsageError(`Container.${what}: no command has been run on this container`, {
      hint: "call withExec([...]) before reading its output",
    });
  return runExec(s, exec);
}

/** The container's image config as its chain of with* calls leaves it. */
export async function containerConfig(state: ContainerState): Promise<ImageConfig> {
  return resolveConfig(requireSession("Container config"), state);
}

/** The environment as name/value pairs, in order. */
export async function envVariables(
  state: ContainerState,
): Promise<{ name: string; value: string }[]> {
  const cfg = await containerConfig(state);
  return cfg.env.map((kv) => {
    const i = kv.indexOf("=");
    return { name: i < 0 ? kv : kv.slice(0, i), value: i < 0 ? "" : kv.slice(i + 1) };
  });
}

/** Write the container as an image tarball on the host; the absolute path. */
export async function exportContainer(state: ContainerState, dest: string): Promise<string> {
  const s = requireSession("Container.export");
  const abs = path.resolve(s.cwd, dest);
  const [snapshot, cfg] = await Promise.all([containerSnapshot(s, state), resolveConfig(s, state)]);
  stopIfDryRun(s, { name: `export ${dest}`, kind: "export" });
  await timedStep(s, { name: `export ${dest}`, kind: "export" }, () =>
    s.runtime.exportImage(snapshot, cfg, abs, s.signal),
  );
  return abs;
}

/** Push the container as `ref`; `ref@sha256:…`. */
export async function publishContainer(state: ContainerState, ref: string): Promise<string> {
  const s = requireSession("Container.publish");
  return s.images.publish(s, state, ref);
}

/** A content id of the container: its base, config and pending file operations. */
export async function containerId(state: ContainerState): Promise<string> {
  const s = requireSession("Container.id");
  const [base, cfg, ops] = await Promise.all([
    fsDigest(s, state.fs, state.registryAuth),
    resolveConfig(s, state),
    materializeOps(s, state),
  ]);
  return digestOf({ base, config: cfg, ops: ops.digests.map((d) => d.digest) });
}

/** Where the container has mounts, as absolute paths (Dagger's `mounts`). */
export async function mountTargets(state: ContainerState): Promise<string[]> {
  const s = requireSession("Container.mounts");
  return Promise.all(state.mounts.map((m) => mountTarget(s, state, m)));
}
