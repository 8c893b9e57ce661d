// Type-checks one service of one compose file into a ParsedService: every key Gantry supports is
// read with its checker, every other key becomes a warning naming its path.
import type { At } from "./at.js";
import {
  Fields,
  keyValues,
  listOf,
  scalarString,
  str,
  stripUndefined,
  type FieldSpec,
} from "./checkers.js";
import { parseExpose, parsePort } from "./parse-port.js";
import {
  parseBuild,
  parseCommand,
  parseDependsOn,
  parseEnvFiles,
  parseHealthcheck,
  parseServiceNetworks,
} from "./parse-service-parts.js";
import { parseTmpfs, parseVolume } from "./parse-volume.js";
import type { ParsedService } from "./parsed-types.js";

const PROFILE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The service keys Gantry reads; a string is the warning for a key it knows but does not apply. */
export const SERVICE_KEYS: FieldSpec = {
  image: true,
  build: true,
  command: true,
  entrypoint: true,
  environment: true,
  env_file: true,
  depends_on: true,
  healthcheck: true,
  ports: true,
  expose: true,
  networks: true,
  volumes: true,
  tmpfs: true,
  profiles: true,
  working_dir: true,
  user: true,
  labels: true,
  container_name: "ignored, Gantry names containers itself",
  restart: "ignored, Gantry does not restart containers in one-shot runs",
};

// A profile name, in the form compose accepts.
function profile(v: unknown, at: At): string {
  const s = str(v, at);
  return PROFILE.test(s) ? s : at.expected("a profile name (letters, digits, _ . -)", s);
}

/** Reads one `services.<name>` mapping. */
export function parseService(v: unknown, at: At): ParsedService {
  const f = new Fields(v, at, SERVICE_KEYS);
  return stripUndefined({
    at,
    image: f.get("image", str),
    build: f.get("build", parseBuild),
    command: f.get("command", parseCommand),
    entrypoint: f.get("entrypoint", parseCommand),
    environment: f.get("environment", keyValues),
    envFiles: f.get("env_file", parseEnvFiles),
    dependsOn: f.get("depends_on", parseDependsOn),
    healthcheck: f.get("healthcheck", parseHealthcheck),
    ports: f.get("ports", listOf(parsePort))?.flat(),
    expose: f.get("expose", listOf(parseExpose))?.flat(),
    networks: f.get("networks", parseServiceNetworks),
    volumes: f.get("volumes", listOf(parseVolume)),
    tmpfs: f.get("tmpfs", parseTmpfs),
    profiles: f.get("profiles", listOf(profile)),
    workingDir: f.get("working_dir", str),
    user: f.get("user", scalarString),
    restart: f.get("restart", str),
    labels: f.get("labels", keyValues),
  });
}
