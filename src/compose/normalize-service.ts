// Turns one merged ParsedService into a ComposeService: defaults filled in, paths made absolute,
// env files read, and references to other services, volumes and networks checked.
import path from "node:path";
import { stripUndefined } from "./checkers.js";
import type {
  ComposeBuild,
  ComposeDependency,
  ComposeMount,
  ComposeService,
  ComposeHealthcheck,
} from "./compose-types.js";
import type { ParsedBuild, ParsedHealthcheck, ParsedMount, ParsedService } from "./parsed-types.js";
import { resolveEnvironment, type EnvironmentContext } from "./resolve-environment.js";

export interface ServiceContext extends EnvironmentContext {
  home: string;
  /** Every service defined, enabled or not. */
  serviceNames: ReadonlySet<string>;
  volumeNames: ReadonlySet<string>;
  networkNames: ReadonlySet<string>;
}

// Defaults as docker-compose applies them.
const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 };

// A healthcheck with its defaults, or disabled by `disable: true` / `test: ["NONE"]`.
function healthcheck(h: ParsedHealthcheck): ComposeHealthcheck | { disabled: true } {
  if (h.disable === true || h.test?.[0] === "NONE") return { disabled: true };
  const { disable: _disable, ...given } = h;
  return { test: [], ...HEALTH_DEFAULTS, ...given };
}

// Build with an absolute context; a build arg without a value comes from the environment.
function build(b: ParsedBuild, ctx: ServiceContext): ComposeBuild {
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(b.args ?? {})) {
    const value = v ?? ctx.env[k];
    if (value !== undefined) args[k] = value;
  }
  return {
    context: path.resolve(ctx.dir, b.context ?? "."),
    dockerfile: b.dockerfile ?? "Dockerfile",
    args,
    ...(b.target !== undefined ? { target: b.target } : {}),
  };
}

// A host path made absolute: `~` is the home directory, relative paths start at the project dir.
function hostPath(source: string, ctx: ServiceContext): string {
  if (source === "~" || source.startsWith("~/")) return path.join(ctx.home, source.slice(1));
  return path.resolve(ctx.dir, source);
}

// A mount with its source resolved; a named volume must be declared at the top level.
function mount(m: ParsedMount, ctx: ServiceContext): ComposeMount {
  if (m.type === "tmpfs") return { type: "tmpfs", target: m.target };
  if (m.type === "bind") {
    return {
      type: "bind",
      source: hostPath(m.source, ctx),
      target: m.target,
      readOnly: m.readOnly,
    };
  }
  if (m.source !== undefined && !ctx.volumeNames.has(m.source)) {
    m.at.fail(`volume "${m.source}" is not declared under the top-level volumes key`);
  }
  const { type, source, target, readOnly } = m;
  return source === undefined ? { type, target, readOnly } : { type, source, target, readOnly };
}

// depends_on with unknown services rejected (or, when optional, dropped with a warning).
function dependsOn(svc: ParsedService, ctx: ServiceContext): Record<string, ComposeDependency> {
  const out: Record<string, ComposeDependency> = {};
  const known = () => [...ctx.serviceNames].join(", ");
  for (const [dep, d] of Object.entries(svc.dependsOn ?? {})) {
    if (!ctx.serviceNames.has(dep)) {
      if (d.required)
        d.at.fail(`depends on service "${dep}", which is not defined (services: ${known()})`);
      d.at.warn(`optional dependency "${dep}" is not defined, ignored`);
      continue;
    }
    out[dep] = { condition: d.condition, required: d.required };
  }
  return out;
}

/** The normalised service. */
export async function normalizeService(
  name: string,
  svc: ParsedService,
  ctx: ServiceContext,
): Promise<ComposeService> {
  if (svc.image === undefined && svc.build === undefined) {
    svc.at.fail("a service needs an image or a build section, and this one has neither");
  }
  const networks: ComposeService["networks"] = {};
  for (const [net, n] of Object.entries(svc.networks ?? { default: { aliases: [], at: svc.at } })) {
    if (net !== "default" && !ctx.networkNames.has(net)) {
      n.at.fail(`network "${net}" is not declared under the top-level networks key`);
    }
    networks[net] = { aliases: n.aliases };
  }
  const mounts = [...(svc.volumes ?? []), ...(svc.tmpfs ?? [])];
  const targets = new Set<string>();
  for (const m of mounts) {
    if (targets.has(m.target)) m.at.fail(`${m.target} is mounted twice in this service`);
    targets.add(m.target);
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.labels ?? {})) labels[k] = v ?? "";
  const optional = {
    image: svc.image,
    build: svc.build && build(svc.build, ctx),
    command: svc.command,
    entrypoint: svc.entrypoint,
    healthcheck: svc.healthcheck && healthcheck(svc.healthcheck),
    workingDir: svc.workingDir,
    user: svc.user,
    restart: svc.restart,
  };
  return {
    name,
    ...stripUndefined(optional),
    environment: await resolveEnvironment(svc, ctx),
    dependsOn: dependsOn(svc, ctx),
    ports: svc.ports ?? [],
    expose: svc.expose ?? [],
    networks,
    volumes: mounts.map((m) => mount(m, ctx)),
    profiles: svc.profiles ?? [],
    labels,
  };
}
