// Merges `-f a.yml -f b.yml` the way the compose specification describes: later files override
// scalars, mappings merge key by key, and the lists that name unique resources are combined.
//   - image, command, entrypoint, working_dir, user, restart, build.context/dockerfile/target:
//     the later value replaces the earlier one (command and entrypoint as a whole).
//   - environment, labels, build.args, depends_on, networks: merged by key, the later file winning;
//     a network's aliases are combined.
//   - healthcheck: merged field by field; `disable: true` in the later file replaces it outright.
//   - ports: appended, exact duplicates dropped; expose and profiles: combined, duplicates dropped.
//   - volumes and tmpfs: merged by container path; a later mount at the same target replaces it.
//   - env_file: appended (later files are read later, so their values win).
//   - top level: `name` replaced; volumes and networks merged by key, field by field.
import type { ParsedComposeFile, ParsedMount, ParsedService } from "./parsed-types.js";

// Union of two optional lists, keeping first-seen order.
function union<T>(a: T[] | undefined, b: T[] | undefined, key: (x: T) => string = String) {
  if (!a && !b) return undefined;
  const seen = new Map<string, T>();
  for (const x of [...(a ?? []), ...(b ?? [])]) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

// Key-by-key merge of two optional mappings.
function mergeMaps<T>(a: Record<string, T> | undefined, b: Record<string, T> | undefined) {
  return a || b ? { ...a, ...b } : undefined;
}

// Mounts by target: a later mount at the same path replaces the earlier one in place.
function mergeMounts(a: ParsedMount[] | undefined, b: ParsedMount[] | undefined) {
  if (!a || !b) return a ?? b;
  const later = new Map(b.map((m) => [m.target, m]));
  const merged = a.map((m) => later.get(m.target) ?? m);
  const kept = new Set(a.map((m) => m.target));
  return [...merged, ...b.filter((m) => !kept.has(m.target))];
}

// Networks by name, combining aliases.
function mergeNetworks(a: ParsedService["networks"], b: ParsedService["networks"]) {
  if (!a || !b) return a ?? b;
  const out = { ...a };
  for (const [name, net] of Object.entries(b)) {
    out[name] = { aliases: union(a[name]?.aliases, net.aliases) ?? [], at: net.at };
  }
  return out;
}

// One service defined in two files.
function mergeService(a: ParsedService, b: ParsedService): ParsedService {
  const merged: ParsedService = { ...a, ...b, at: a.at };
  if (a.build || b.build) {
    merged.build = { ...a.build, ...b.build };
    const args = mergeMaps(a.build?.args, b.build?.args);
    if (args) merged.build.args = args;
  }
  const setIf = <K extends keyof ParsedService>(k: K, v: ParsedService[K] | undefined) => {
    if (v !== undefined) merged[k] = v;
  };
  setIf("environment", mergeMaps(a.environment, b.environment));
  setIf("labels", mergeMaps(a.labels, b.labels));
  setIf("dependsOn", mergeMaps(a.dependsOn, b.dependsOn));
  setIf("envFiles", a.envFiles && b.envFiles ? [...a.envFiles, ...b.envFiles] : undefined);
  if (a.healthcheck && b.healthcheck && !b.healthcheck.disable) {
    merged.healthcheck = { ...a.healthcheck, ...b.healthcheck };
  }
  setIf(
    "ports",
    union(a.ports, b.ports, (p) => JSON.stringify(p)),
  );
  setIf("expose", union(a.expose, b.expose));
  setIf("profiles", union(a.profiles, b.profiles));
  setIf("networks", mergeNetworks(a.networks, b.networks));
  setIf("volumes", mergeMounts(a.volumes, b.volumes));
  setIf("tmpfs", mergeMounts(a.tmpfs, b.tmpfs));
  return merged;
}

/** Merges parsed files in order; the first file's `at` stands for the project. */
export function mergeComposeFiles(files: ParsedComposeFile[]): ParsedComposeFile {
  const [first, ...rest] = files;
  if (!first) throw new TypeError("mergeComposeFiles needs at least one file");
  let out: ParsedComposeFile = first;
  for (const next of rest) {
    const services = { ...out.services };
    for (const [name, svc] of Object.entries(next.services)) {
      const prev = services[name];
      services[name] = prev ? mergeService(prev, svc) : svc;
    }
    const resources = (a: ParsedComposeFile["volumes"], b: ParsedComposeFile["volumes"]) => {
      const r = { ...a };
      for (const [k, v] of Object.entries(b)) r[k] = { ...a[k], ...v };
      return r;
    };
    out = {
      at: out.at,
      ...((next.name ?? out.name) ? { name: next.name ?? out.name } : {}),
      services,
      volumes: resources(out.volumes, next.volumes),
      networks: resources(out.networks, next.networks),
    };
  }
  return out;
}
