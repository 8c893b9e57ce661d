import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModuleError, UsageError } from "../../src/errors.js";
import { materializeArgs } from "../../src/module/materialize-args.js";
import type { RawValue } from "../../src/module/parse-flags.js";
import { prepareArgs, type PrepareContext } from "../../src/module/prepare-args.js";
import type { ParamSignature, TypeRef } from "../../src/module/signature.js";
import { tempDir, writeTree } from "./module-test-helpers.js";

let dir: string;
let cleanup: () => void;
let ctx: PrepareContext;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  writeTree(dir, { "src/a.txt": "a", "token.txt": "s3cret-from-file\n" });
  fs.mkdirSync(path.join(dir, ".git"));
  ctx = { cwd: dir, hostEnv: { TOKEN: "s3cret-from-env" }, mod: { rootDir: dir } };
});
afterEach(() => cleanup());

const param = (
  name: string,
  type: TypeRef,
  extra: Partial<ParamSignature> = {},
): ParamSignature => ({
  name,
  type,
  optional: false,
  ...extra,
});
const core = (
  name: "Directory" | "File" | "Secret" | "Container" | "Service" | "CacheVolume",
): TypeRef => ({
  kind: "core",
  name,
});

// Prepare one parameter from one raw value.
function one(p: ParamSignature, raw: RawValue | undefined) {
  const values = new Map<string, RawValue>(raw === undefined ? [] : [[p.name, raw]]);
  return prepareArgs([p], values, "function test", ctx)[0];
}

describe("prepareArgs: host paths", () => {
  it("makes Directory and File paths absolute against the cwd", () => {
    expect(one(param("source", core("Directory")), "src")).toEqual({
      kind: "directory",
      path: path.join(dir, "src"),
    });
    expect(one(param("config", core("File")), "src/a.txt")).toEqual({
      kind: "file",
      path: path.join(dir, "src/a.txt"),
    });
  });

  it("names the flag and the path when it is missing or of the wrong kind", () => {
    expect(() => one(param("source", core("Directory")), "nope")).toThrow(UsageError);
    expect(() => one(param("source", core("Directory")), "nope")).toThrow(
      /^--source: nope does not exist/,
    );
    expect(() => one(param("source", core("Directory")), "token.txt")).toThrow(
      "--source: token.txt is not a directory",
    );
    expect(() => one(param("config", core("File")), "https://github.com/x/y")).toThrow(
      "--config: https://github.com/x/y is a URL; a file is given as a local path (a directory can also be a git address, URL#REF:SUBDIR)",
    );
    expect(() => one(param("source", core("Directory")), "s3://bucket/x")).toThrow(/is a URL/);
  });

  it("takes a git address for a Directory, as dagger call does: URL, URL#REF, URL#REF:SUBDIR", () => {
    const dir = (text: string) => one(param("source", core("Directory")), text);
    expect(dir("https://github.com/dagger/hello-dagger")).toEqual({
      kind: "gitDirectory",
      url: "https://github.com/dagger/hello-dagger",
    });
    expect(dir("https://github.com/dagger/dagger.git#v0.9.5:docs/")).toEqual({
      kind: "gitDirectory",
      url: "https://github.com/dagger/dagger.git",
      ref: "v0.9.5",
      subdir: "docs",
    });
    expect(dir("git@github.com:org/repo#main")).toEqual({
      kind: "gitDirectory",
      url: "git@github.com:org/repo",
      ref: "main",
    });
    expect(dir("file:///srv/repo#main:sub/dir")).toMatchObject({ ref: "main", subdir: "sub/dir" });
    expect(() => dir("https://github.com/x/y#")).toThrow(/is not a git address: give URL, URL#REF/);
    expect(() => dir("file:///srv/repo#main:../etc")).toThrow(/must stay inside the repository/);
  });

  it("refuses an empty path instead of taking it as the current directory", () => {
    expect(() => one(param("source", core("Directory")), "")).toThrow(UsageError);
    expect(() => one(param("source", core("Directory")), "")).toThrow(
      "--source is empty: give a directory path (--source=. for the current directory)",
    );
    expect(() => one(param("config", core("File")), "")).toThrow(
      /^--config is empty: give a file path/,
    );
    expect(() => one(param("dirs", { kind: "list", of: core("Directory") }), [".", ""])).toThrow(
      /^--dirs is empty/,
    );
  });

  it("applies defaultPath and ignore when the flag is left out", () => {
    const p = param("source", core("Directory"), { defaultPath: "/src", ignore: ["node_modules"] });
    expect(one(p, undefined)).toEqual({
      kind: "directory",
      path: path.join(dir, "src"),
      exclude: ["node_modules"],
    });
    expect(() =>
      one(param("source", core("Directory"), { defaultPath: "/missing" }), undefined),
    ).toThrow(ModuleError);
  });
});

describe("prepareArgs: secrets", () => {
  const token = param("token", core("Secret"));

  it("accepts env:, env://, file:, file://, cmd: and cmd://", () => {
    expect(one(token, "env:TOKEN")).toEqual({
      kind: "secret",
      name: "token",
      source: { from: "env", name: "TOKEN" },
    });
    expect(one(token, "env://TOKEN")).toMatchObject({ source: { from: "env", name: "TOKEN" } });
    expect(one(token, "file:token.txt")).toMatchObject({
      source: { from: "file", path: path.join(dir, "token.txt") },
    });
    expect(one(token, "file://token.txt")).toMatchObject({ source: { from: "file" } });
    expect(one(token, 'cmd:"echo hi"')).toMatchObject({
      source: { from: "cmd", command: "echo hi" },
    });
    expect(one(token, "cmd://echo hi")).toMatchObject({
      source: { from: "cmd", command: "echo hi" },
    });
  });

  it("names Dagger's secret providers (op://, vault://) as not read, pointing at cmd: with their tool", () => {
    expect(() => one(token, "op://vault/item/field")).toThrow(
      "--token: op:// secrets (a provider of Dagger's) are not read by Gantry; give the source as env:NAME, file:PATH or cmd:COMMAND",
    );
    const err = (() => {
      try {
        one(token, "op://vault/item/field");
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err?.hint).toBe(
      `read it with the provider's own tool, e.g. --token=cmd:"op read 'op://vault/item/field'"`,
    );
    expect(() => one(token, "vault://secret/data/ci")).toThrow(/vault:\/\/ secrets/);
  });

  it("says a file: source that is a directory is a directory, not that it is missing", () => {
    expect(() => one(token, "file:src")).toThrow(UsageError);
    expect(() => one(token, "file:src")).toThrow(
      `--token: src is a directory (${path.join(dir, "src")}), and a secret file must be a file`,
    );
    expect(() => one(token, "file:nope.txt")).toThrow(
      /^--token: secret file nope.txt does not exist/,
    );
  });

  it("names the flag and the variable when it is unset, never a value", () => {
    expect(() => one(token, "env:MISSING")).toThrow(
      "--token: environment variable MISSING is not set",
    );
    const err = (() => {
      try {
        one(token, "hunter2-plain-value");
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).not.toContain("hunter2");
  });
});

describe("prepareArgs: scalars and other objects", () => {
  it("validates numbers and enums", () => {
    expect(one(param("n", { kind: "number" }), "2.5")).toEqual({ kind: "value", value: 2.5 });
    expect(() => one(param("n", { kind: "number" }), "two")).toThrow(
      '--n expects a number in plain decimal (like 3, -1 or 2.5), got "two"',
    );
    expect(one(param("n", { kind: "number" }), "-12")).toEqual({ kind: "value", value: -12 });
    for (const odd of [
      "0x10",
      "1e3",
      " 7",
      "",
      "Infinity",
      "1.",
      ".5",
      "+3",
      `1${"0".repeat(400)}`,
    ])
      expect(() => one(param("n", { kind: "number" }), odd)).toThrow(
        `--n expects a number in plain decimal (like 3, -1 or 2.5), got ${JSON.stringify(odd)}`,
      );
    const level: TypeRef = {
      kind: "enum",
      name: "Level",
      members: [{ name: "Info", value: "info" }],
    };
    expect(one(param("level", level), "Info")).toEqual({ kind: "value", value: "info" });
    expect(() => one(param("level", level), "loud")).toThrow("--level must be one of info");
  });

  it("converts lists item by item", () => {
    const p = param("ports", { kind: "list", of: { kind: "number" } });
    expect(one(p, ["1", "2"])).toEqual({
      kind: "list",
      items: [
        { kind: "value", value: 1 },
        { kind: "value", value: 2 },
      ],
    });
  });

  it("reads containers, services and cache volumes", () => {
    expect(one(param("base", core("Container")), "alpine:3.20")).toEqual({
      kind: "container",
      ref: "alpine:3.20",
    });
    expect(one(param("db", core("Service")), "tcp://localhost:5432")).toMatchObject({
      host: "localhost",
      port: 5432,
    });
    expect(() => one(param("db", core("Service")), "localhost:5432")).toThrow(
      /tcp:\/\/localhost:5432/,
    );
    for (const bad of ["tcp://localhost:99999", "tcp://localhost:0"])
      expect(() => one(param("db", core("Service")), bad)).toThrow(
        `--db expects a service address like tcp://localhost:5432 (port 1–65535), got "${bad}"`,
      );
    expect(one(param("cache", core("CacheVolume")), "npm")).toEqual({
      kind: "cacheVolume",
      name: "npm",
    });
  });

  it("names a missing required flag, and leaves optional ones to the function's default", () => {
    const p = param("source", core("Directory"), { doc: "the project\nmore" });
    expect(() => one(p, undefined)).toThrow(
      "function test needs --source (Directory) (the project): add --source=VALUE",
    );
    expect(one(param("n", { kind: "number" }, { optional: true }), undefined)).toEqual({
      kind: "absent",
    });
  });

  it("shows a missing secret's flag with a source, since a plain value is refused", () => {
    expect(() => one(param("token", core("Secret")), undefined)).toThrow(
      "function test needs --token (Secret): add --token=env:NAME",
    );
  });
});

describe("materializeArgs", () => {
  // A recording stand-in for `dag`: enough to see which SDK calls the arguments become.
  const calls: string[] = [];
  const dag = {
    host: () => ({
      directory: (p: string, o: object) => (calls.push(`dir ${p} ${JSON.stringify(o)}`), "DIR"),
      file: (p: string) => (calls.push(`file ${p}`), "FILE"),
      setSecretFile: (n: string, p: string) => (calls.push(`secretFile ${n} ${p}`), "SECRET"),
    }),
    setSecret: (n: string, v: string) => (calls.push(`secret ${n} ${v}`), "SECRET"),
    container: () => ({ from: (r: string) => (calls.push(`from ${r}`), "CTR") }),
    cacheVolume: (n: string) => (calls.push(`cache ${n}`), "CACHE"),
  } as unknown as Parameters<typeof materializeArgs>[1]["dag"];

  it("turns prepared arguments into SDK objects", async () => {
    calls.length = 0;
    const out = await materializeArgs(
      [
        { kind: "directory", path: "/x", exclude: ["a"] },
        { kind: "secret", name: "token", source: { from: "env", name: "TOKEN" } },
        {
          kind: "secret",
          name: "cmdTok",
          source: { from: "cmd", command: "printf 'from-cmd\\n'" },
        },
        { kind: "container", ref: "alpine" },
        { kind: "absent" },
      ],
      { dag, cwd: dir, hostEnv: ctx.hostEnv },
    );
    expect(out).toEqual(["DIR", "SECRET", "SECRET", "CTR", undefined]);
    expect(calls).toEqual([
      'dir /x {"exclude":["a"]}',
      "secret token s3cret-from-env",
      "from alpine",
      "secret cmdTok from-cmd",
    ]);
  });

  it("reports a failing cmd: secret without its output, and an unsupported service", async () => {
    const m = { dag, cwd: dir, hostEnv: {} };
    await expect(
      materializeArgs(
        [{ kind: "secret", name: "tok", source: { from: "cmd", command: "echo leaked; exit 3" } }],
        m,
      ),
    ).rejects.toThrow(/^--tok: the secret command failed \(exit 3\)/);
    await expect(
      materializeArgs(
        [{ kind: "secret", name: "tok", source: { from: "cmd", command: "no_such_cmd_gantry" } }],
        m,
      ),
    ).rejects.toThrow(
      "--tok: the secret command failed: the shell found no such command (exit 127)",
    );
    await expect(
      materializeArgs([{ kind: "service", url: "tcp://h:1", host: "h", port: 1 }], m),
    ).rejects.toThrow(/not supported yet/);
  });

  it("makes a tcp:// service argument that port of this machine, frontend = backend", async () => {
    const seen: unknown[] = [];
    const withService = {
      ...dag,
      host: () => ({ service: (...a: unknown[]) => (seen.push(a), "SVC") }),
    } as unknown as typeof dag;
    const out = await materializeArgs(
      [{ kind: "service", url: "tcp://db.local:5432", host: "db.local", port: 5432 }],
      { dag: withService, cwd: dir, hostEnv: {} },
    );
    expect(out).toEqual(["SVC"]);
    expect(seen).toEqual([[[{ frontend: 5432, backend: 5432 }], { host: "db.local" }]]);
  });
});
