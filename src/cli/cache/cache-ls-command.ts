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
  type CacheVolume,
} from "../../engine/api/index.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";
import { splitPositionals } from "../positional-args.js";
import { openCacheObjects } from "./cache-engine.js";
import { formatWhen, table } from "./cache-format.js";
import { plural } from "../format-table.js";

export const LS_HELP = `Show what Gantry's cache takes: the state dir's parts and the engine objects it owns.

Usage: gantry cache ls [--json] [--runtime auto|docker|host]

  --json   one JSON document (sizes in bytes, times in ms since the epoch)

Counted against the size limit (GANTRY_CACHE_LIMIT, see docs/cache.md): the state dir's caches
(records, trees, blobs, bundles, signatures, host cache volumes), the images this state dir's
records name, the cache volumes its runs used and its orphans (its objects no record names).
Run records, orphans of deleted state dirs and other state dirs' objects are shown but not
counted.
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
    const vols = usage.volumes.filter((v) => !v.dir);
    out.push(
      `  cache volumes this state dir's runs used: ${vols.length} (${formatBytes(sum(vols.map((v) => v.size ?? 0)))})`,
    );
    if (vols.length) out.push(volumeTable(vols));
    for (const [orphan, says] of [
      ["mine", "orphans this state dir made (no record names them; gc and prune remove them)"],
      [
        "gone",
        "orphans of deleted state dirs (not counted; gantry cache prune --all removes them)",
      ],
    ] as const) {
      const imgs = usage.orphanImages.filter((i) => i.orphan === orphan);
      const vols = usage.orphanVolumes.filter((v) => v.orphan === orphan);
      if (imgs.length + vols.length)
        out.push(
          `  ${says}: ${plural(imgs.length, "image")} (${formatBytes(sum(imgs.map((i) => i.size)))}), ` +
            `${plural(vols.length, "cache volume")} (${formatBytes(sum(vols.map((v) => v.size ?? 0)))})`,
        );
    }
    const other = usage.otherImages;
    const others = usage.otherVolumes;
    out.push(
      `  not counted: ${plural(other.length, "other Gantry-labelled image")} (${formatBytes(sum(other.map((i) => i.size)))}) and ` +
        `${plural(others.length, "volume")} (${formatBytes(sum(others.map((v) => v.size ?? 0)))}) — other state dirs' on this engine, ` +
        `services' named volumes, images tagged for a release, or made before objects named their state dir; ` +
        `this state dir never removes them`,
    );
  }
  const host = usage.volumes.filter((v) => v.dir);
  if (host.length) {
    out.push(
      `host runtime cache volumes (in the state dir): ${host.length} (${formatBytes(sum(host.map((v) => v.size ?? 0)))})`,
    );
    out.push(volumeTable(host));
  }
  out.push(
    `counted: ${formatBytes(total)} (state dir ${formatBytes(usage.stateBytes)}, engine ${formatBytes(usage.engineBytes)}); ` +
      `limit: ${describeLimit(limit, max)}; free disk: ${formatBytes(free)}`,
  );
  if (leases.length) out.push(`runs in progress: ${leases.map((l) => l.runId).join(", ")}`);
  io.stdout.write(out.join("\n") + "\n");
  return 0;
}

// Cache volumes, most recently used first.
function volumeTable(vols: readonly CacheVolume[]): string {
  return table(
    ["VOLUME", "SIZE", "LAST USED"],
    [...vols]
      .sort((a, b) => b.lastUsed - a.lastUsed)
      .map((v) => [
        `${v.name} (cache ${v.cache})`,
        v.size === undefined ? "?" : formatBytes(v.size),
        formatWhen(v.lastUsed),
      ]),
    "    ",
  );
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
    orphans: {
      images: u.orphanImages,
      volumes: u.orphanVolumes,
      countedBytes: sum(
        [...u.orphanImages, ...u.orphanVolumes]
          .filter((o) => o.orphan === "mine")
          .map((o) => ("id" in o ? o.size : (o.size ?? 0))),
      ),
      goneBytes: sum(
        [...u.orphanImages, ...u.orphanVolumes]
          .filter((o) => o.orphan === "gone")
          .map((o) => ("id" in o ? o.size : (o.size ?? 0))),
      ),
    },
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
