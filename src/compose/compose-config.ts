// `gantry compose config`: the normalised project as YAML, so a person sees exactly what Gantry
// will run after interpolation, merging and defaults. Key order is fixed (model order, mapping
// keys sorted) so that the output diffs cleanly.
import { Document } from "yaml";
import type { ComposeProject, ComposeService } from "./compose-types.js";

type Plain = string | number | boolean | Plain[] | { [k: string]: Plain };

// A mapping with sorted keys.
function sorted<T>(m: Record<string, T>, f: (v: T) => Plain): Record<string, Plain> {
  return Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, f(m[k] as T)]),
  );
}

// The listed keys of `o`, in that order, so output never depends on how the model was built.
function pick<T extends object>(o: T, keys: readonly (keyof T)[]): Record<string, Plain> {
  return compact(Object.fromEntries(keys.map((k) => [k, o[k] as Plain | undefined])));
}

// Drops absent values and empty collections, which only add noise to the output.
function compact(o: Record<string, Plain | undefined>): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (Array.isArray(v) ? v.length === 0 : typeof v === "object" && Object.keys(v).length === 0)
      continue;
    out[k] = v;
  }
  return out;
}

// Every string value is interpolated when a compose file loads, so a `$` the model holds is written `$$` (keys are
// never interpolated and stay as they are).
function escapeDollars(v: Plain): Plain {
  if (typeof v === "string") return v.replaceAll("$", "$$$$");
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeDollars(x)]));
  return v;
}

// Milliseconds as a compose duration: whole seconds as `30s`, the rest as `1500ms`.
function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

// One service with the compose specification's key names (long syntax where there is one), in a fixed order.
function service(s: ComposeService): Record<string, Plain> {
  return compact({
    image: s.image,
    build: s.build && {
      ...pick(s.build, ["context", "dockerfile"]),
      ...compact({ args: sorted(s.build.args, String), target: s.build.target }),
    },
    command: s.command,
    entrypoint: s.entrypoint,
    environment: sorted(s.environment, String),
    depends_on: sorted(s.dependsOn, (d) => ({ condition: d.condition, required: d.required })),
    healthcheck:
      s.healthcheck &&
      ("disabled" in s.healthcheck
        ? { disable: true }
        : compact({
            test: s.healthcheck.test,
            interval: duration(s.healthcheck.intervalMs),
            timeout: duration(s.healthcheck.timeoutMs),
            retries: s.healthcheck.retries,
            start_period: duration(s.healthcheck.startPeriodMs),
          })),
    ports: s.ports.map((p) =>
      compact({
        target: p.target,
        published: p.published,
        host_ip: p.hostIp,
        protocol: p.protocol,
      }),
    ),
    expose: s.expose,
    networks: sorted(s.networks, (n) => compact({ aliases: n.aliases })),
    volumes: s.volumes.map((v) =>
      v.type === "tmpfs"
        ? { type: v.type, target: v.target }
        : compact({ type: v.type, source: v.source, target: v.target, read_only: v.readOnly }),
    ),
    working_dir: s.workingDir,
    user: s.user,
    profiles: s.profiles,
    restart: s.restart,
    labels: sorted(s.labels, String),
  });
}

/**
 * The project as a compose file: name, enabled services (sorted), networks and volumes, in the compose
 * specification's terms, so it loads again (in Gantry or docker compose) as the same project.
 */
export function renderComposeConfig(project: ComposeProject): string {
  const data = compact({
    name: project.name,
    services: sorted(project.services, service),
    networks: sorted(project.networks, (r) => ({ name: r.name, external: r.external })),
    volumes: sorted(project.volumes, (r) => ({ name: r.name, external: r.external })),
  });
  const doc = new Document(escapeDollars(data));
  const disabled = Object.values(project.disabledServices)
    .map((x) => `${x.name} (profiles: ${x.profiles.join(", ")})`)
    .sort();
  if (disabled.length)
    doc.commentBefore = ` not enabled by the active profiles: ${disabled.join("; ")}`;
  return doc.toString({ lineWidth: 0 });
}
