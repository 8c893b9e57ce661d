// Type-checks one interpolated compose file into a ParsedComposeFile: the top-level keys, every
// service, and the volume and network definitions. Errors name the file, the key path and what was
// expected; unsupported keys become warnings. Checks across services (depends_on targets, image or
// build present) wait until all `-f` files are merged, in normalize-compose.ts.
import type { At } from "./at.js";
import { byKind, Fields, kindOf, str, type Check } from "./checkers.js";
import { parseService } from "./parse-service.js";
import type { ParsedComposeFile, ParsedResource } from "./parsed-types.js";

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

// `external: true`, or the legacy `external: {name: x}` that also names the resource.
const external: Check<{ external: boolean; name?: string }> = byKind("true, false or a mapping", {
  boolean: (v) => ({ external: v as boolean }),
  mapping: (v, at) => {
    const name = new Fields(v, at, { name: true }).get("name", str);
    return name === undefined ? { external: true } : { external: true, name };
  },
});

// One entry of top-level `volumes:` or `networks:`; only `name` and `external` matter to Gantry.
const resource: Check<ParsedResource> = (v, at) => {
  if (v === null || v === undefined) return { at };
  const f = new Fields(v, at, { name: true, external: true });
  const ext = f.get("external", external);
  const name = f.get("name", str) ?? ext?.name;
  return {
    at,
    ...(name !== undefined ? { name } : {}),
    ...(ext ? { external: ext.external } : {}),
  };
};

// A mapping of named entries (services, volumes, networks), each read with `entry`.
function entries<T>(v: unknown, at: At, entry: (x: unknown, at: At, name: string) => T) {
  const out: Record<string, T> = {};
  if (v === null || v === undefined) return out;
  if (kindOf(v) !== "mapping") return at.expected("a mapping", v);
  for (const [name, x] of Object.entries(v as Record<string, unknown>)) {
    out[name] = entry(x, at.key(name), name);
  }
  return out;
}

/** Checks one compose document (already interpolated) read from the file `at` names. */
export function validateComposeFile(doc: unknown, at: At): ParsedComposeFile {
  if (kindOf(doc) !== "mapping") {
    return at.expected("a mapping with a services key at the top level", doc);
  }
  const f = new Fields(doc, at, {
    version: true,
    name: true,
    services: true,
    volumes: true,
    networks: true,
  });
  const root = doc as Record<string, unknown>;
  const services = entries(root.services, at.key("services"), (x, here, name) => {
    if (!SERVICE_NAME.test(name)) {
      here.fail(
        "expected a service name made of letters, digits and _ . - (starting with a letter or digit)",
      );
    }
    if (kindOf(x) !== "mapping") here.expected("a mapping", x);
    return parseService(x, here);
  });
  const name = f.get("name", str);
  return {
    at,
    ...(name !== undefined ? { name } : {}),
    services,
    volumes: entries(root.volumes, at.key("volumes"), resource),
    networks: entries(root.networks, at.key("networks"), resource),
  };
}
