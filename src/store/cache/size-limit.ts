// How big Gantry's cache may grow: a size a person gives (GANTRY_CACHE_LIMIT, `cache gc --limit`), or by default a
// fraction of the disk it could use, so a small CI runner and a big laptop both keep room for everything else.
import { statfs } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../../errors.js";

/** What a limit says before the disk is looked at. */
export type CacheLimit =
  | { kind: "bytes"; bytes: number }
  /** A share of (free space on the state dir's file system + what Gantry already holds). */
  | { kind: "fraction"; fraction: number }
  /** No limit: nothing is collected after runs (`cache gc` needs an explicit --limit). */
  | { kind: "off" };

/** The default share; docs/cache.md says why a quarter. */
export const DEFAULT_CACHE_FRACTION = 0.25;

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

/** `20GB`, `512MiB`, `10g` (binary, as docker), `1500000` (bytes), `25%`, `off`; `source` names where it came from. */
export function parseCacheLimit(text: string | undefined, source: string): CacheLimit {
  if (text === undefined || text.trim() === "")
    return { kind: "fraction", fraction: DEFAULT_CACHE_FRACTION };
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "none") return { kind: "off" };
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) {
    const n = Number(pct[1]);
    if (n > 0 && n <= 100) return { kind: "fraction", fraction: n / 100 };
  }
  const size = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(t);
  const unit = size ? UNITS[size[2] ?? ""] : undefined;
  if (size && unit !== undefined)
    return { kind: "bytes", bytes: Math.floor(Number(size[1]) * unit) };
  throw new UsageError(
    `${source} must be a size, a percentage or "off", got ${JSON.stringify(text)}`,
    {
      hint: `e.g. ${source.startsWith("-") ? `${source} ` : `${source}=`}20GB, 512MiB, 25% (of the free disk plus what Gantry holds) or off`,
    },
  );
}

/** The limit in bytes, given the free space and what Gantry holds now; undefined when off. */
export function limitBytes(
  limit: CacheLimit,
  freeBytes: number,
  ownBytes: number,
): number | undefined {
  if (limit.kind === "off") return undefined;
  if (limit.kind === "bytes") return limit.bytes;
  return Math.floor(limit.fraction * (freeBytes + ownBytes));
}

/** The limit as a person reads it: `20.0 GB` or `25% of free disk + cache (= 31.2 GB)`. */
export function describeLimit(limit: CacheLimit, bytes: number | undefined): string {
  if (limit.kind === "off" || bytes === undefined) return "off";
  if (limit.kind === "bytes") return formatBytes(bytes);
  return `${Math.round(limit.fraction * 1000) / 10}% of free disk + cache (= ${formatBytes(bytes)})`;
}

/** Bytes free to an unprivileged writer on the file system holding `dir` (or its nearest existing parent). */
export async function freeDiskBytes(dir: string): Promise<number> {
  let p = path.resolve(dir);
  for (;;) {
    try {
      const s = await statfs(p);
      return s.bavail * s.bsize;
    } catch (err) {
      const up = path.dirname(p);
      if (up === p) throw err;
      p = up;
    }
  }
}

/** `1.5 GB`, `12.0 MB`, `512 B`: decimal units, as `docker system df` shows them. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
