// Turns the merged, type-checked files into the ComposeProject Gantry runs: resource names,
// normalised services split by the active profiles, and a check that depends_on has no cycle.
import type { ComposeProject, ComposeResource, ComposeService } from "./compose-types.js";
import { normalizeService, type ServiceContext } from "./normalize-service.js";
import type { ParsedComposeFile, ParsedResource } from "./parsed-types.js";
import type { EnvironmentContext } from "./resolve-environment.js";
import { orderServices } from "./select-services.js";

export interface NormalizeContext extends EnvironmentContext {
  name: string;
  home: string;
  /** Active profiles; "*" enables every service. */
  profiles: readonly string[];
}

// Engine-side names: `<project>_<key>` unless `name:` is set; an external resource is used as named.
function resources(defs: Record<string, ParsedResource>, project: string) {
  const out: Record<string, ComposeResource> = {};
  for (const [key, r] of Object.entries(defs)) {
    const external = r.external ?? false;
    out[key] = { name: r.name ?? (external ? key : `${project}_${key}`), external };
  }
  return out;
}

// Whether a service runs without being named: no profiles, or one of them active.
function enabled(svc: ComposeService, profiles: readonly string[]): boolean {
  return (
    svc.profiles.length === 0 ||
    profiles.includes("*") ||
    svc.profiles.some((p) => profiles.includes(p))
  );
}

/** The project model for a merged set of files. */
export async function normalizeCompose(
  parsed: ParsedComposeFile,
  ctx: NormalizeContext,
): Promise<ComposeProject> {
  const names = Object.keys(parsed.services);
  if (names.length === 0) parsed.at.key("services").fail("expected at least one service");
  const volumes = resources(parsed.volumes, ctx.name);
  const networks = resources(parsed.networks, ctx.name);
  const svcCtx: ServiceContext = {
    ...ctx,
    serviceNames: new Set(names),
    volumeNames: new Set(Object.keys(volumes)),
    networkNames: new Set(Object.keys(networks)),
  };
  const all: Record<string, ComposeService> = {};
  for (const [name, svc] of Object.entries(parsed.services)) {
    all[name] = await normalizeService(name, svc, svcCtx);
  }
  orderServices(all, names, (cycle) => {
    const at = parsed.services[cycle[0] ?? ""]?.at.key("depends_on") ?? parsed.at;
    return at.fail(`services depend on each other in a cycle: ${cycle.join(" -> ")}`);
  });
  if (Object.values(all).some((s) => s.networks.default) && !networks.default) {
    networks.default = { name: `${ctx.name}_default`, external: false };
  }
  const services: Record<string, ComposeService> = {};
  const disabledServices: Record<string, ComposeService> = {};
  for (const [name, svc] of Object.entries(all)) {
    (enabled(svc, ctx.profiles) ? services : disabledServices)[name] = svc;
  }
  return {
    name: ctx.name,
    dir: ctx.dir,
    services,
    disabledServices,
    activeProfiles: [...ctx.profiles],
    volumes,
    networks,
  };
}
