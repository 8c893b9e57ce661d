// Port entries of a service, in all forms compose accepts: `80`, `"8080:80"`,
// `"127.0.0.1:8080:80/udp"`, `"127.0.0.1::80"`, `"[::1]:8080:80"`, ranges `"5000-5001:6000-6001"`
// (expanded to one entry per port, as docker-compose does) and the long `{target, published, ...}`.
import type { At } from "./at.js";
import { byKind, Fields, oneOf, str, type Check } from "./checkers.js";
import type { ComposePort } from "./compose-types.js";

const SHORT_FORMS = '"80", "8080:80" or "127.0.0.1:8080:80/udp"';
const PROTOCOLS = ["tcp", "udp"] as const;

// One port number; `entry` is the whole entry as written, named when only a part of it was wrong.
function portNumber(text: string, at: At, entry: string | number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 65535) return n;
  const got = typeof entry === "number" ? String(entry) : JSON.stringify(text);
  const whole = typeof entry === "string" && entry !== text ? ` in ${JSON.stringify(entry)}` : "";
  return at.fail(`expected a port number between 1 and 65535, got ${got}${whole}`);
}

// `"5000"` → [5000]; `"5000-5002"` → [5000, 5001, 5002].
function portRange(s: string, at: At, whole: string): number[] {
  const m = /^([^-]+)-([^-]+)$/.exec(s);
  if (!m) return [portNumber(s, at, whole)];
  const lo = portNumber(m[1] as string, at, whole);
  const hi = portNumber(m[2] as string, at, whole);
  if (hi < lo) at.fail(`port range ${JSON.stringify(s)} ends before it starts`);
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

// The short string syntax `[[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]`.
function shortPort(s: string, at: At): ComposePort[] {
  const slash = s.lastIndexOf("/");
  const protocol = slash < 0 ? "tcp" : oneOf(PROTOCOLS)(s.slice(slash + 1), at);
  let rest = slash < 0 ? s : s.slice(0, slash);
  let hostIp: string | undefined;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2] ?? "";
  }
  const parts = rest.split(":");
  if (parts.length > (v6 ? 2 : 3) || parts.some((p, i) => p === "" && i !== parts.length - 2)) {
    at.expected(SHORT_FORMS, s);
  }
  if (!v6 && parts.length === 3) hostIp = parts.shift();
  const targets = portRange(parts.at(-1) as string, at, s);
  const publishedText = parts.length === 2 ? (parts[0] as string) : "";
  const published = publishedText === "" ? undefined : portRange(publishedText, at, s);
  if (published && published.length !== targets.length) {
    at.fail(
      `published range and target range differ in length in ${JSON.stringify(s)}` +
        " (Gantry publishes each target port on exactly one host port)",
    );
  }
  return targets.map((target, i) => ({
    target,
    ...(published ? { published: published[i] as number } : {}),
    ...(hostIp ? { hostIp } : {}),
    protocol,
  }));
}

// The long syntax `{target, published, host_ip, protocol}`.
function longPort(v: unknown, at: At): ComposePort[] {
  const f = new Fields(v, at, { target: true, published: true, host_ip: true, protocol: true });
  const num: Check<number> = (x, a) =>
    typeof x === "number" || typeof x === "string"
      ? portNumber(String(x), a, x)
      : a.expected("a port number", x);
  const hostIp = f.get("host_ip", str);
  const published = f.get("published", num);
  return [
    {
      target: f.need("target", num),
      ...(published !== undefined ? { published } : {}),
      ...(hostIp ? { hostIp } : {}),
      protocol: f.get("protocol", oneOf(PROTOCOLS)) ?? "tcp",
    },
  ];
}

/** One entry of `ports:`; a range expands to several ports. */
export const parsePort: Check<ComposePort[]> = byKind(`a port like ${SHORT_FORMS}, or a mapping`, {
  number: (v, at) => [{ target: portNumber(String(v), at, v as number), protocol: "tcp" }],
  string: (v, at) => shortPort((v as string).trim(), at),
  mapping: longPort,
});

/** One entry of `expose:` (`80`, `"80"`, `"8000-8002"`, `"80/udp"`; the protocol is not kept). */
export const parseExpose: Check<number[]> = byKind('a port like 80 or "8000-8002"', {
  number: (v, at) => [portNumber(String(v), at, v as number)],
  string: (v, at) => {
    const [ports = "", proto] = (v as string).trim().split("/");
    if (proto !== undefined) oneOf(PROTOCOLS)(proto, at);
    return portRange(ports, at, v as string);
  },
});
