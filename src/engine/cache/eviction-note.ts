// A step that misses because `cache gc` evicted its result says so, with the date, instead of "first run": the
// person then knows the limit cost them a hit and can raise it.
import path from "node:path";
import type { Session } from "../session.js";
import type { MissReason } from "../events.js";
import { readEvictions, type Eviction } from "../../store/cache/eviction-log.js";
import { describeReason } from "./miss-summary.js";

/** The miss of a step whose key was evicted, or undefined when it was not (or long enough ago to be forgotten). */
export async function evictedMiss(
  s: Session,
  key: string,
): Promise<{ miss: string; why: MissReason[] } | undefined> {
  const stateDir = s.env?.stateDir;
  if (!stateDir) return undefined;
  const log = await s.once("cache-evictions", () => readEvictions(stateDir));
  const stem = path.basename(s.store.recordPath("exec", key), ".json");
  const e = log.get(`exec:${stem}`);
  if (!e) return undefined;
  const reason: MissReason = {
    input: "its cached result",
    change: "evicted",
    detail: evictedBy(e),
  };
  return { miss: describeReason(reason), why: [reason] };
}

// `cache gc on 2026-12-05 23:40 UTC`: minutes are enough to match it with a gc a person ran or saw.
function evictedBy(e: Eviction): string {
  const at = new Date(e.time).toISOString().slice(0, 16).replace("T", " ");
  return `cache ${e.by} on ${at} UTC`;
}
