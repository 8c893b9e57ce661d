// Volume entries of a service: the short `[SOURCE:]TARGET[:MODE]` syntax and the long
// `{type, source, target, read_only}` one, plus `tmpfs:`. A source starting with `/`, `.` or `~`
// is a host path (bind mount), anything else names a volume. Paths are resolved later.
import type { At } from "./at.js";
import { bool, byKind, Fields, oneOf, str, stringOrList, type Check } from "./checkers.js";
import type { ParsedMount } from "./parsed-types.js";

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// Modes Docker accepts that change nothing on Linux (consistency hints for Docker Desktop on macOS).
const NOOP_MODES = new Set(["rw", "cached", "delegated", "consistent"]);
const IGNORED_MODES = new Set(["z", "Z", "nocopy", "rprivate", "private", "rshared", "shared"]);

// Whether a source is a host path rather than a volume name.
function isHostPath(source: string): boolean {
  return source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
}

// A container path must be absolute: Docker rejects relative mount targets.
const target: Check<string> = (v, at) => {
  const s = str(v, at);
  return s.startsWith("/") ? s : at.expected("an absolute path in the container", s);
};

// A named volume's name, checked so that a mistyped relative path (`data/x`) is caught early.
const volumeName: Check<string> = (v, at) => {
  const s = str(v, at);
  return VOLUME_NAME.test(s)
    ? s
    : at.expected("a volume name or a host path starting with /, ./ or ~", s);
};

// The short syntax string.
function shortVolume(s: string, at: At): ParsedMount {
  const parts = s.split(":");
  if (parts.length > 3 || parts.some((p) => p === "")) {
    at.expected('"TARGET", "SOURCE:TARGET" or "SOURCE:TARGET:MODE"', s);
  }
  let readOnly = false;
  for (const mode of parts.length === 3 ? (parts[2] as string).split(",") : []) {
    if (mode === "ro") readOnly = true;
    else if (IGNORED_MODES.has(mode))
      at.warn(`mount option "${mode}" is not supported by Gantry, ignored`);
    else if (!NOOP_MODES.has(mode)) at.expected("a mode like ro or rw", mode);
  }
  if (parts.length === 1) return { type: "volume", target: target(s, at), readOnly, at };
  const source = parts[0] as string;
  const tgt = target(parts[1] as string, at);
  return isHostPath(source)
    ? { type: "bind", source, target: tgt, readOnly, at }
    : { type: "volume", source: volumeName(source, at), target: tgt, readOnly, at };
}

// The long syntax mapping.
function longVolume(v: unknown, at: At): ParsedMount {
  const f = new Fields(v, at, {
    type: true,
    source: true,
    target: true,
    read_only: true,
    consistency: true,
  });
  const type = f.need("type", oneOf(["volume", "bind", "tmpfs"] as const));
  const tgt = f.need("target", target);
  const readOnly = f.get("read_only", bool) ?? false;
  if (type === "tmpfs") {
    if (f.has("source")) at.key("source").warn("a tmpfs mount has no source, ignored");
    return { type, target: tgt, at };
  }
  if (type === "bind") return { type, source: f.need("source", str), target: tgt, readOnly, at };
  const source = f.get("source", volumeName);
  return { type, ...(source ? { source } : {}), target: tgt, readOnly, at };
}

/** One entry of a service's `volumes:`. */
export const parseVolume: Check<ParsedMount> = byKind('"SOURCE:TARGET[:MODE]" or a mapping', {
  string: (v, at) => shortVolume(v as string, at),
  mapping: longVolume,
});

/** A service's `tmpfs:` (a path or a list of paths, each optionally `PATH:OPTIONS`). */
export const parseTmpfs: Check<ParsedMount[]> = (v, at) =>
  stringOrList(v, at).map((entry, i) => {
    const here = Array.isArray(v) ? at.index(i) : at;
    const colon = entry.indexOf(":");
    if (colon >= 0)
      here.warn(`tmpfs options "${entry.slice(colon + 1)}" are not supported by Gantry, ignored`);
    return {
      type: "tmpfs",
      target: target(colon < 0 ? entry : entry.slice(0, colon), here),
      at: here,
    };
  });
