// Every container, volume and network Gantry creates carries labels naming the run, so cleanup can find it.
import os from "node:os";
import type { StateOwner } from "../../../store/cache/state-owner.js";

/** What every label of Gantry's own bookkeeping begins with. */
export const LABEL_PREFIX = "gantry.";

export const LABELS = {
  managed: "gantry.managed",
  run: "gantry.run",
  pid: "gantry.pid",
  host: "gantry.host",
  /** On temporary volumes (never on cache volumes), so cleanup cannot take a cache by mistake. */
  temp: "gantry.temp",
  cache: "gantry.cache",
  digest: "gantry.digest",
  /** On images and cache volumes: the state dir that made them (store/cache/state-owner.ts), to tell orphans. */
  state: "gantry.state",
  stateDir: "gantry.state-dir",
  stateHost: "gantry.state-host",
  /**
   * On a BuildKit exec's snapshot: "<export id> <base id>". Its parent is BuildKit's export of the whole filesystem,
   * so what it adds is measured over the base image instead (only while that export is its parent: children inherit
   * labels). On a source layer loaded over its base (exec/layer-load.ts), which has no parent: " <base id>".
   */
  sizeOver: "gantry.size-over",
} as const;

/**
 * The image to measure `image`'s size over: its parent, or the base a BuildKit snapshot or a loaded source layer names
 * (LABELS.sizeOver) while its parent is still the one the label names (none, for a loaded layer).
 */
export function sizeParent(
  parent: string | undefined,
  labels: Record<string, string> | undefined,
): string | undefined {
  const [exported, base] = (labels?.[LABELS.sizeOver] ?? "").split(" ");
  return base && exported === (parent ?? "") ? base : parent;
}

// The labels of a run's throwaway resources: who made them, so a later run can reap them if this one dies.
export function runLabels(runId: string): Record<string, string> {
  return {
    [LABELS.managed]: "true",
    [LABELS.run]: runId,
    [LABELS.pid]: String(process.pid),
    [LABELS.host]: os.hostname(),
  };
}

// Label filters in the shape the Docker list endpoints take (`{"label": ["k=v"]}`).
export function labelFilter(labels: Record<string, string>): { label: string[] } {
  return { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
}

// The labels naming the state dir that made an image or cache volume; none when the runtime was given no state dir.
export function ownerLabels(owner: StateOwner | undefined): Record<string, string> {
  if (!owner) return {};
  return { [LABELS.state]: owner.id, [LABELS.stateDir]: owner.dir, [LABELS.stateHost]: owner.host };
}

// The owner an object's labels name, when it has all three.
export function ownerOf(labels: Record<string, string> | undefined): StateOwner | undefined {
  const id = labels?.[LABELS.state];
  const dir = labels?.[LABELS.stateDir];
  const host = labels?.[LABELS.stateHost];
  return id && dir && host ? { id, dir, host } : undefined;
}
