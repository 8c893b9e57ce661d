// A cache volume's docker name, in a file of its own: deployments and `gantry cache` name volumes without loading the
// cache volumes' sharing and locking code (cache-volumes.ts), which only a run that mounts one needs.
import { createHash } from "node:crypto";

// Docker volume names allow [a-zA-Z0-9_.-]; anything else is replaced, with a hash so two names never meet.
export function cacheVolumeName(cache: string): string {
  const safe = cache.replace(/[^a-zA-Z0-9_.-]/g, "-");
  if (safe === cache && cache !== "") return `gantry-cache-${cache}`;
  const hash = createHash("sha256").update(cache).digest("hex").slice(0, 8);
  return `gantry-cache-${safe}-${hash}`;
}
