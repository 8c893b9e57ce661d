// Checkers for the structured keys of a service: build, command, healthcheck, depends_on,
// env_file and networks, each accepting every form compose allows.
import type { At } from "./at.js";
import {
  bool,
  byKind,
  count,
  Fields,
  keyValues,
  listOf,
  mapOf,
  oneOf,
  scalarString,
  str,
  stripUndefined,
  type Check,
} from "./checkers.js";
import { durationMs } from "./parse-duration.js";
import type {
  ParsedBuild,
  ParsedDependency,
  ParsedEnvFile,
  ParsedHealthcheck,
} from "./parsed-types.js";
import { splitCommand } from "./split-command.js";

const REMOTE_CONTEXT = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/|github\.com\/)/;
const CONDITIONS = [
  "service_started",
  "service_healthy",
  "service_completed_successfully",
] as const;

// A build context must be a local folder: Gantry sends it to the engine as a tar stream.
const context: Check<string> = (v, at) => {
  const s = str(v, at);
  if (REMOTE_CONTEXT.test(s)) {
    at.fail(
      `remote build contexts are not supported by Gantry (${s}): clone it and use a local path`,
    );
  }
  return s;
};

/** `build: ./dir` or `build: {context, dockerfile, args, target}`. */
export const parseBuild: Check<ParsedBuild> = byKind<ParsedBuild>("a path or a mapping", {
  string: (v, at) => ({ context: context(v, at) }),
  mapping: (v, at) => {
    const f = new Fields(v, at, { context: true, dockerfile: true, args: true, target: true });
    return stripUndefined({
      context: f.get("context", context),
      dockerfile: f.get("dockerfile", str),
      args: f.get("args", keyValues),
      target: f.get("target", str),
    });
  },
});

/** `command:`/`entrypoint:` as a string (split like a shell would, without expansion) or a list. */
export const parseCommand: Check<string[]> = byKind("a string or a list of strings", {
  string: (v, at) => splitCommand(v as string, at),
  list: listOf(scalarString),
});

// `test:` of a healthcheck: a string runs in a shell; a list names its kind first.
const healthTest: Check<string[]> = byKind("a string or a list of strings", {
  string: (v) => ["CMD-SHELL", v as string],
  list: (v, at) => {
    const test = listOf(scalarString)(v, at);
    oneOf(["CMD", "CMD-SHELL", "NONE"])(test[0], at.index(0));
    return test;
  },
});

/** `healthcheck:` with durations as milliseconds. */
export const parseHealthcheck: Check<ParsedHealthcheck> = (v, at) => {
  const f = new Fields(v, at, {
    test: true,
    interval: true,
    timeout: true,
    retries: true,
    start_period: true,
    disable: true,
  });
  return stripUndefined({
    test: f.get("test", healthTest),
    intervalMs: f.get("interval", durationMs),
    timeoutMs: f.get("timeout", durationMs),
    retries: f.get("retries", count),
    startPeriodMs: f.get("start_period", durationMs),
    disable: f.get("disable", bool),
  });
};

// One dependency in the mapping form; an empty value means the defaults.
const dependency: Check<ParsedDependency> = (v, at) => {
  if (v === null || v === undefined) return { condition: "service_started", required: true, at };
  const f = new Fields(v, at, {
    condition: true,
    required: true,
    restart: "not supported by Gantry, ignored (dependencies are not restarted)",
  });
  const condition = f.get("condition", oneOf(CONDITIONS)) ?? "service_started";
  return { condition, required: f.get("required", bool) ?? true, at };
};

/** `depends_on:` as a list of names (condition service_started) or a mapping. */
export const parseDependsOn: Check<Record<string, ParsedDependency>> = byKind(
  "a list of service names or a mapping",
  {
    list: (v, at) => {
      const out: Record<string, ParsedDependency> = {};
      listOf(str)(v, at).forEach((name, i) => {
        out[name] = { condition: "service_started", required: true, at: at.index(i) };
      });
      return out;
    },
    mapping: mapOf(dependency),
  },
);

// One `env_file:` entry: a path, or `{path, required}`.
const envFile: Check<ParsedEnvFile> = byKind("a path or a mapping with path", {
  string: (v, at) => ({ path: v as string, required: true, at }),
  mapping: (v, at) => {
    const f = new Fields(v, at, { path: true, required: true });
    return { path: f.need("path", str), required: f.get("required", bool) ?? true, at };
  },
});

/** `env_file:` as a path or a list of entries. */
export const parseEnvFiles: Check<ParsedEnvFile[]> = byKind("a path or a list of paths", {
  string: (v, at) => [envFile(v, at)],
  list: listOf(envFile),
});

// One network of a service in the mapping form: aliases only.
const serviceNetwork: Check<{ aliases: string[]; at: At }> = (v, at) => {
  if (v === null || v === undefined) return { aliases: [], at };
  const f = new Fields(v, at, { aliases: true });
  return { aliases: f.get("aliases", listOf(str)) ?? [], at };
};

/** A service's `networks:` as a list of names or a mapping with aliases. */
export const parseServiceNetworks: Check<Record<string, { aliases: string[]; at: At }>> = byKind(
  "a list of network names or a mapping",
  {
    list: (v, at) =>
      Object.fromEntries(listOf(str)(v, at).map((n, i) => [n, { aliases: [], at: at.index(i) }])),
    mapping: mapOf(serviceNetwork),
  },
);
