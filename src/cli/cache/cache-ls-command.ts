// `gantry cache ls [--json]`: what Gantry's cache takes, part by part, with last-used times, against its limit.
import {
  describeLimit,
  formatBytes,
  freeDiskBytes,
  limitBytes,
  liveRunLeases,
  measureCache,
  parseCacheLimit,
  type CacheUsage,
} from "../../engine/api/index.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { splitPositionals } from "../positional-args.js";
import { openCacheObjects } from "./cache-engine.js";
import { formatWhen, table } from "./cache-format.js";

export const LS_HELP = `Show what Gantry's cache takes: the state dir's parts and the engine objects it owns.

Usage: gantry cache ls [--json] [--runtime auto|docker|host]

  --json   one JSON document (sizes in bytes, times in ms since the epoch)

Counted against the size limit (GANTRY_CACHE_LIMIT, see docs/cache.md): the state dir's caches
(records, trees, blobs, bundles, signatures, host cache volumes), the images this state dir's
records name and the cache volumes its runs used. Run records and other state dirs' objects are
shown but not counted.
`;

const SHOWN = 15;

/** Print the cache's sizes; exit code 0. */
export async function runCacheLs(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
): Promise<number> {
  let json = false;
  splitPositionals(rest, globals, {}, { json: () => (json = true) });
  if (globals.help) {
    io.stdout.write(LS_HELP);
    return 0;
  }
  const stateDir = io.env.stateDir;
  const { objects, note } = await openCacheObjects(globals, io);
  const usage = await measureCache(stateDir, objects);
  const limit = parseCacheLimit(io.env.cacheLimit, "GANTRY_CACHE_LIMIT");
  const free = await freeDiskBytes(stateDir);
  const total = usage.stateBytes + usage.engineBytes;
  const max = limitBytes(limit, free, total);
  const leases = await liveRunLeases(stateDir);
  if (json) {
    io.stdout.write(
      JSON.stringify(
        lsJson(usage, { free, total, max, leases, limitText: describeLimit(limit, max) }),
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  const out: string[] = [];
  out.push(`state dir ${stateDir}`);
  out.push(
    table(
      ["PART", "SIZE", "FILES", "LAST USED"],
      usage.parts.map((p) => [
        `${p.what}${p.project ? ` — ${p.project}` : ""}${p.cache ? "" : " (not counted)"}`,
        formatBytes(p.bytes),
        String(p.files),
        formatWhen(p.lastUsed),
      ]),
    ),
  );
  if (note) out.push(note);
  if (usage.engineError)
    out.push(`engine ${usage.engine}: could not list Gantry's objects: ${usage.engineError}`);
  else if (usage.engine) {
    out.push(`engine ${usage.engine}`);
    const imgs = [...usage.images].sort((a, b) => b.lastUsed - a.lastUsed);
    out.push(
      `  images this state dir's records name: ${imgs.length} (${formatBytes(sum(imgs.map((i) => i.size)))})`,
    );
    if (imgs.length)
      out.push(
        table(
          ["IMAGE", "SIZE", "LAST USED"],
          imgs
            .slice(0, SHOWN)
            .map((i) => [shortRef(i.tags[0] ?? i.id), formatBytes(i.size), formatWhen(i.lastUsed)]),
          "    ",
        ) +
          (imgs.length > SHOWN ? `\n    … and ${imgs.length - SHOWN} more (--json lists all)` : ""),
      );
    out.push(
      `  cache volumes this state dir's runs used: ${usage.volumes.length} (${formatBytes(sum(usage.volumes.map((v) => v.size ?? 0)))})`,
    );
    if (usage.volumes.length)
      out.push(
        table(
          ["VOLUME", "SIZE", "LAST USED"],
          usage.volumes.map((v) => [
            `${v.name} (cache ${v.cache})`,
            v.size === undefined ? "?" : formatBytes(v.size),
            formatWhen(v.lastUsed),
          ]),
          "    ",
        ),
      );
    const other = usage.otherImages;
    const vols = usage.otherVolumes;
    out.push(
      `  not counted: ${other.length} other Gantry-labelled images (${formatBytes(sum(other.map((i) => i.size)))}) and ` +
        `${vols.length} volumes (${formatBytes(sum(vols.map((v) => v.size ?? 0)))}) — other state dirs' on this engine, ` +
        `services' named volumes, or images tagged for a release; this state dir never removes them`,
    );
  }
  out.push(
    `counted: ${formatBytes(total)} (state dir ${formatBytes(usage.stateBytes)}, engine ${formatBytes(usage.engineBytes)}); ` +
      `limit: ${describeLimit(limit, max)}; free disk: ${formatBytes(free)}`,
  );
  if (leases.length) out.push(`runs in progress: ${leases.map((l) => l.runId).join(", ")}`);
  io.stdout.write(out.join("\n") + "\n");
  return 0;
}

// The document `--json` prints: everything the text shows, unrounded.
function lsJson(
  u: CacheUsage,
  x: { free: number; total: number; max: number | undefined; leases: unknown[]; limitText: string },
) {
  return {
    stateDir: u.stateDir,
    counted: { total: x.total, stateDir: u.stateBytes, engine: u.engineBytes },
    limit: { bytes: x.max ?? null, text: x.limitText },
    freeDisk: x.free,
    parts: u.parts,
    engine: u.engine ?? null,
    ...(u.engineError ? { engineError: u.engineError } : {}),
    images: u.images,
    volumes: u.volumes,
    notCounted: {
      images: u.otherImages.length,
      imageBytes: sum(u.otherImages.map((i) => i.size)),
      volumes: u.otherVolumes.length,
      volumeBytes: sum(u.otherVolumes.map((v) => v.size ?? 0)),
    },
    runsInProgress: x.leases,
  };
}

// `gantry-cache:2ef2d394d047` (a tag's or id's first 12 hex digits are enough to find it with docker).
function shortRef(ref: string): string {
  return ref.replace(/([0-9a-f]{12})[0-9a-f]{52}$/, "$1");
}

function sum(ns: number[]): number {
  return ns.reduce((a, b) => a + b, 0);
}
