// The deploy functions' options as people type them (`--health=/healthz,https://x`, `--health-timeout=45s`), checked
// and turned into values once, so every target reads the same thing and a typo fails before anything is built.
import { UsageError } from "../errors.js";

/** Health-check settings shared by every target. */
export interface HealthSettings {
  /** Paths (`/healthz`) are asked of the new release before traffic moves; URLs after it moved. */
  paths: string[];
  urls: string[];
  timeoutMs: number;
  /** Attempts per URL before giving up (within the timeout); undefined: as many as fit. */
  retries?: number;
  /** Text the body must contain (every URL). */
  bodyMatch?: string;
}

const APP_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

// An app name ends up in container, network and image names: keep it to what all three accept.
export function checkAppName(app: unknown): string {
  if (typeof app !== "string" || !APP_NAME.test(app))
    throw new UsageError(
      `app name ${JSON.stringify(app)} is not valid: use 1–40 lower-case letters, digits and dashes, starting with a letter or digit`,
      { hint: "e.g. --app=my-shop" },
    );
  return app;
}

// A TCP port a person typed.
export function checkPort(what: string, port: unknown): number {
  const n = typeof port === "string" ? Number(port) : port;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(
      `${what} must be a port number from 1 to 65535, got ${JSON.stringify(port)}`,
    );
  return n;
}

// "45s", "1m30s", "500ms", or a number of seconds.
export function parseDuration(
  what: string,
  v: string | number | undefined,
  fallbackMs: number,
): number {
  if (v === undefined || v === "") return fallbackMs;
  if (typeof v === "number" && Number.isFinite(v) && v > 0) return v * 1000;
  const text = String(v).trim();
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
  let total = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3_600_000 : m[2] === "m" ? n * 60_000 : m[2] === "s" ? n * 1000 : n;
    if (re.lastIndex === text.length) break;
  }
  if (re.lastIndex !== text.length || total <= 0)
    throw new UsageError(
      `${what} must be a duration like 45s, 2m or 500ms, got ${JSON.stringify(v)}`,
    );
  return total;
}

// `--health=/healthz,https://shop.example.com/` (comma-separated, or a list) into paths and absolute URLs.
export function parseHealth(
  health: string | string[] | undefined,
  opts: { timeout?: string | number; retries?: number; body?: string },
): HealthSettings {
  const items = (Array.isArray(health) ? health : [health ?? ""])
    .flatMap((h) => h.split(","))
    .map((h) => h.trim())
    .filter((h) => h !== "");
  if (items.length === 0)
    throw new UsageError("a deploy needs at least one health check", {
      hint: "pass --health=/PATH (asked of the new release before traffic moves) and/or --health=https://… (after)",
    });
  const paths: string[] = [];
  const urls: string[] = [];
  for (const h of items) {
    if (h.startsWith("/")) paths.push(h);
    else if (/^https?:\/\/[^/]/.test(h)) {
      try {
        urls.push(new URL(h).toString());
      } catch {
        throw new UsageError(`health URL ${JSON.stringify(h)} is not a valid URL`);
      }
    } else
      throw new UsageError(
        `health check ${JSON.stringify(h)} is neither a path (/healthz) nor an http(s):// URL`,
      );
  }
  const retries = opts.retries;
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 1))
    throw new UsageError(`--health-retries must be a whole number of at least 1, got ${retries}`);
  return {
    paths,
    urls,
    timeoutMs: parseDuration("--health-timeout", opts.timeout, 45_000),
    retries,
    bodyMatch: opts.body || undefined,
  };
}

// `--release-command="bin/migrate --all"` runs through sh -c; a list is run as is (exec form).
export function releaseCommandArgs(cmd: string | string[] | undefined): string[] | undefined {
  if (cmd === undefined) return undefined;
  if (Array.isArray(cmd)) return cmd.length > 0 ? cmd : undefined;
  return cmd.trim() === "" ? undefined : ["/bin/sh", "-c", cmd];
}
