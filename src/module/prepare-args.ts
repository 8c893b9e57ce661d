// Checks every flag value before a run starts, so a typo fails in milliseconds instead of after the engine is up.
import fs from "node:fs";
import path from "node:path";
import { ModuleError, UsageError } from "../errors.js";
import type { ModuleLocation } from "./find-module.js";
import { resolveDefaultPath } from "./default-path.js";
import { toKebabCase } from "./names.js";
import type { RawValue } from "./parse-flags.js";
import { parseSecretSource, type SecretSource } from "./secret-source.js";
import { typeLabel, type ParamSignature, type TypeRef } from "./signature.js";

/** A checked argument, ready to become a value (or an SDK object) inside the run. */
export type PreparedArg =
  | { kind: "absent" }
  | { kind: "value"; value: unknown }
  | { kind: "directory"; path: string; exclude?: string[] }
  /** A git address given for a Directory (`URL#REF:SUBDIR`, as `dagger call` takes it), read with the host's git. */
  | { kind: "gitDirectory"; url: string; ref?: string; subdir?: string; exclude?: string[] }
  | { kind: "file"; path: string }
  | { kind: "secret"; name: string; source: SecretSource }
  | { kind: "container"; ref: string }
  | { kind: "service"; url: string; host: string; port: number }
  | { kind: "cacheVolume"; name: string }
  | { kind: "list"; items: PreparedArg[] };

export interface PrepareContext {
  cwd: string;
  hostEnv: Readonly<Record<string, string | undefined>>;
  mod: Pick<ModuleLocation, "rootDir">;
  /**
   * The parameters take no flags: the command (`check`) runs the function with its defaults only, so a parameter
   * without one, or a defaultPath that is missing, is refused in words that do not offer a flag.
   */
  defaultsOnly?: { command: string };
}

const isAddress = (text: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith("git@");

/**
 * A git address for a Directory, as `dagger call` takes it: `https://host/repo[.git][#REF[:SUBDIR]]`, `git@host:repo`,
 * `ssh://…`, `file:///path`; the ref is a branch, tag or commit (the remote's HEAD without one).
 */
function gitDirectory(flag: string, text: string, exclude?: string[]): PreparedArg | undefined {
  if (!isAddress(text) || /^(https?|ssh|git|file):\/\/|^git@/i.exec(text) === null)
    return undefined;
  const hash = text.indexOf("#");
  const url = hash < 0 ? text : text.slice(0, hash);
  const fragment = hash < 0 ? "" : text.slice(hash + 1);
  const colon = fragment.indexOf(":");
  const ref = colon < 0 ? fragment : fragment.slice(0, colon);
  const subdir = colon < 0 ? "" : fragment.slice(colon + 1).replace(/^\/+|\/+$/g, "");
  if (url === "" || (hash >= 0 && ref === "" && subdir === ""))
    throw new UsageError(
      `--${flag}: ${JSON.stringify(text)} is not a git address: give URL, URL#REF or URL#REF:SUBDIR (e.g. https://github.com/org/repo#main:docs)`,
    );
  if (subdir.split("/").includes(".."))
    throw new UsageError(
      `--${flag}: the folder ${subdir} of ${url} must stay inside the repository`,
    );
  return {
    kind: "gitDirectory",
    url,
    ...(ref ? { ref } : {}),
    ...(subdir ? { subdir } : {}),
    ...(exclude ? { exclude } : {}),
  };
}

// A host path that must exist with the right kind; the message names the flag and the path.
function hostPath(flag: string, text: string, want: "directory" | "file", cwd: string): string {
  // path.resolve(cwd, "") is cwd: an empty value (a shell variable that was not set) must not mean "."
  if (text === "") {
    throw new UsageError(
      `--${flag} is empty: give a ${want} path (--${flag}=${want === "directory" ? "." : "./FILE"} for the ${want === "directory" ? "current directory" : "file FILE"})`,
    );
  }
  if (isAddress(text)) {
    throw new UsageError(
      `--${flag}: ${text} is a URL; a ${want} is given as a local path${want === "directory" ? "" : " (a directory can also be a git address, URL#REF:SUBDIR)"}`,
    );
  }
  const abs = path.resolve(cwd, text);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (!st)
    throw new UsageError(
      `--${flag}: ${text} does not exist${abs === text ? "" : ` (${abs})`}: pass an existing ${want}`,
    );
  if (want === "directory" ? !st.isDirectory() : !st.isFile()) {
    throw new UsageError(`--${flag}: ${text} is not a ${want}: pass a ${want} path`);
  }
  return abs;
}

// One text value of a given type (list items come here one by one).
function prepareOne(
  param: ParamSignature,
  type: TypeRef,
  text: string,
  ctx: PrepareContext,
): PreparedArg {
  const flag = toKebabCase(param.name);
  // no path, name or address holds a NUL, and node's fs calls throw a TypeError on one
  if (text.includes("\0"))
    throw new UsageError(`--${flag}: the value contains a NUL character: remove it`);
  switch (type.kind) {
    case "number": {
      // plain decimal only: JavaScript's Number() would also take "0x10", "1e3", " 7 " and "", which no person
      // typing a count means (Dagger reads a TypeScript number as an integer and refuses them too)
      const n = Number(text);
      if (!/^-?\d+(\.\d+)?$/.test(text) || !Number.isFinite(n))
        throw new UsageError(
          `--${flag} expects a number in plain decimal (like 3, -1 or 2.5), got ${JSON.stringify(text)}`,
        );
      return { kind: "value", value: n };
    }
    case "boolean":
      return { kind: "value", value: /^(true|1|yes)$/i.test(text) };
    case "enum": {
      const m = type.members.find((x) => x.value === text || x.name === text);
      if (!m)
        throw new UsageError(
          `--${flag} must be one of ${type.members.map((x) => x.value).join(", ")}, got ${JSON.stringify(text)}`,
        );
      return { kind: "value", value: m.value };
    }
    case "core":
      switch (type.name) {
        case "Directory":
          return (
            gitDirectory(flag, text, param.ignore) ?? {
              kind: "directory",
              path: hostPath(flag, text, "directory", ctx.cwd),
              ...(param.ignore ? { exclude: param.ignore } : {}),
            }
          );
        case "File":
          return { kind: "file", path: hostPath(flag, text, "file", ctx.cwd) };
        case "Secret":
          return { kind: "secret", name: param.name, source: parseSecretSource(flag, text, ctx) };
        case "Container":
          if (text.trim() === "")
            throw new UsageError(`--${flag} expects an image reference like alpine:3.20`);
          return { kind: "container", ref: text };
        case "CacheVolume":
          return { kind: "cacheVolume", name: text };
        case "Service": {
          const m = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(text);
          const port = m ? Number(m[2]) : 0;
          if (!m || port < 1 || port > 65535)
            throw new UsageError(
              `--${flag} expects a service address like tcp://localhost:5432 (port 1–65535), got ${JSON.stringify(text)}`,
            );
          return { kind: "service", url: text, host: m[1] as string, port };
        }
        default:
          throw new UsageError(
            `--${flag} is a ${type.name}, which cannot be given on the command line yet`,
          );
      }
    case "object":
      throw new UsageError(
        `--${flag} is a ${type.name} object, which cannot be given on the command line`,
      );
    default:
      return { kind: "value", value: text };
  }
}

// A parameter left out: its default path, or nothing (the function's own default applies).
function prepareDefault(param: ParamSignature, owner: string, ctx: PrepareContext): PreparedArg {
  const flag = toKebabCase(param.name);
  if (param.defaultPath !== undefined && param.type.kind === "core") {
    const abs = resolveDefaultPath(ctx.mod, param.defaultPath);
    const want = param.type.name === "File" ? "file" : "directory";
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st || (want === "file" ? !st.isFile() : !st.isDirectory())) {
      const fix = ctx.defaultsOnly
        ? "fix its defaultPath"
        : `pass --${flag} or fix its defaultPath`;
      const text = `--${flag} of ${owner} defaults to ${param.defaultPath} (${abs}), which is not a ${want}: ${fix}`;
      throw new ModuleError(
        ctx.defaultsOnly ? `${ctx.defaultsOnly.command} ${owner}: ${text}` : text,
      );
    }
    return want === "file"
      ? { kind: "file", path: abs }
      : { kind: "directory", path: abs, ...(param.ignore ? { exclude: param.ignore } : {}) };
  }
  if (param.optional) return { kind: "absent" };
  // what to write after the flag: a secret is never given as a plain value, so its example is a source
  const value = param.type.kind === "core" && param.type.name === "Secret" ? "env:NAME" : "VALUE";
  if (ctx.defaultsOnly) {
    const { command } = ctx.defaultsOnly;
    throw new UsageError(
      `${command} ${owner} has a parameter --${flag} (${typeLabel(param.type)}) without a default, and a ${command} runs with its parameters' defaults only: give it a default, or run it as \`gantry call ${owner} --${flag}=${value}\``,
    );
  }
  const doc = param.doc ? ` (${param.doc.split("\n")[0]})` : "";
  throw new UsageError(
    `${owner} needs --${flag} (${typeLabel(param.type)})${doc}: add --${flag}=${value}`,
  );
}

/** Check the flags given for a function's parameters; the result lines up with the parameters by position. */
export function prepareArgs(
  params: readonly ParamSignature[],
  values: ReadonlyMap<string, RawValue>,
  owner: string,
  ctx: PrepareContext,
): PreparedArg[] {
  return params.map((param) => {
    const raw = values.get(param.name);
    if (raw === undefined) return prepareDefault(param, owner, ctx);
    if (typeof raw === "boolean") return { kind: "value", value: raw };
    if (Array.isArray(raw)) {
      const of = param.type.kind === "list" ? param.type.of : param.type;
      return { kind: "list", items: raw.map((t) => prepareOne(param, of, t, ctx)) };
    }
    return prepareOne(param, param.type, raw, ctx);
  });
}
