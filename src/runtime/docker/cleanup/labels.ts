// Every container, volume and network Gantry creates carries labels naming the run, so cleanup can find it.
import os from "node:os";

export const LABELS = {
  managed: "gantry.managed",
  run: "gantry.run",
  pid: "gantry.pid",
  host: "gantry.host",
  /** On temporary volumes (never on cache volumes), so cleanup cannot take a cache by mistake. */
  temp: "gantry.temp",
  cache: "gantry.cache",
  digest: "gantry.digest",
} as const;

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
