import { describe, expect, it } from "vitest";
import { planCall, planChain } from "../../src/cli/call/plan-call.js";
import { callFlagHook, type ResultOptions } from "../../src/cli/call/call-flags.js";
import { defaultGlobals } from "../../src/cli/global-flags.js";
import { readEnv } from "../../src/env.js";
import { prepareArgs } from "../../src/module/prepare-args.js";
import type { ModuleSignature } from "../../src/module/signature.js";

const sig: ModuleSignature = {
  schema: 1,
  moduleName: "ci",
  mainObject: "Ci",
  warnings: [],
  objects: [
    {
      name: "Ci",
      exported: true,
      file: "index.ts",
      constructorParams: [{ name: "node", type: { kind: "string" }, optional: true }],
      functions: [
        { name: "build", kind: "method", params: [], returns: { kind: "core", name: "Directory" } },
        {
          name: "untyped",
          kind: "method",
          params: [],
          returns: { kind: "unknown", text: "unknown" },
        },
        { name: "sub", kind: "method", params: [], returns: { kind: "object", name: "Sub" } },
      ],
    },
    {
      name: "Sub",
      exported: false,
      file: "index.ts",
      constructorParams: [],
      functions: [
        {
          name: "greet",
          kind: "method",
          params: [{ name: "loud", type: { kind: "boolean" }, optional: true }],
          returns: { kind: "string" },
        },
      ],
    },
  ],
};
const noGlobals = () => undefined;

describe("planCall", () => {
  it("plans the function and a chain over SDK and module objects", () => {
    const p = planCall(["build", "export", "--path", "out"], sig, noGlobals);
    expect(p.steps.map((s) => s.callable.cliName)).toEqual(["build", "export"]);
    expect(Object.fromEntries(p.steps[1]?.values ?? [])).toEqual({ path: "out" });
    const q = planCall(["sub", "greet", "--loud"], sig, noGlobals);
    expect(Object.fromEntries(q.steps[1]?.values ?? [])).toEqual({ loud: true });
    expect(q.lastType).toEqual({ kind: "string" });
  });

  it("chains Dagger's Container and Directory words: with-directory, publish, terminal, docker-build", () => {
    const p = planCall(
      [
        "build",
        "with-new-file",
        "--path=a.txt",
        "--contents=x",
        "docker-build",
        "with-directory",
        "--path=/src",
        "--directory=.",
        "--exclude=node_modules",
        "terminal",
        "publish",
        "--address=localhost:5000/app:1",
      ],
      sig,
      noGlobals,
    );
    expect(p.steps.map((s) => s.callable.cliName)).toEqual([
      "build",
      "with-new-file",
      "docker-build",
      "with-directory",
      "terminal",
      "publish",
    ]);
    expect(Object.fromEntries(p.steps[3]?.values ?? [])).toEqual({
      path: "/src",
      directory: ".",
      exclude: ["node_modules"],
    });
    expect(p.steps[3]?.callable.params.map((x) => x.type)).toContainEqual({
      kind: "core",
      name: "Directory",
    });
    expect(p.lastType).toEqual({ kind: "string" });
  });

  it("takes constructor flags before the function or after it", () => {
    expect(planCall(["--node=22", "build"], sig, noGlobals).ctorValues.get("node")).toBe("22");
    expect(planCall(["build", "--node", "18"], sig, noGlobals).ctorValues.get("node")).toBe("18");
  });

  it("defers chain words after a result of unknown type until it runs", () => {
    const p = planCall(["untyped", "stdout"], sig, noGlobals);
    expect(p.steps).toHaveLength(1);
    expect(p.deferredAt).toBe(1);
    const later = planChain(["untyped", "stdout"], 1, { kind: "core", name: "Container" }, sig, {
      lenient: false,
      describe: "the result",
    });
    expect(later.steps.map((s) => s.callable.cliName)).toEqual(["stdout"]);
  });

  it("asks for a function when none is named", () => {
    expect(() => planCall([], sig, noGlobals)).toThrow(
      "name a function to call: gantry call FUNCTION; ci has build, untyped, sub",
    );
    expect(planCall(["--help"], sig, noGlobals).help).toBe(true);
  });

  it("plans with-exec's options (Dagger's withExec flags) and Directory's filter and with-new-directory", () => {
    const p = planCall(
      [
        "build",
        "docker-build",
        "with-exec",
        "--args=sh,-c,exit 3",
        "--expect=ANY",
        "--use-entrypoint",
        "--stdin=input",
        "--redirect-stdout=/out",
        "--redirect-stderr=/err",
        "--insecure-root-capabilities",
        "exit-code",
      ],
      sig,
      noGlobals,
    );
    const exec = p.steps[2];
    expect(exec?.callable.cliName).toBe("with-exec");
    expect(Object.fromEntries(exec?.values ?? [])).toEqual({
      args: ["sh", "-c", "exit 3"],
      expect: "ANY",
      useEntrypoint: true,
      stdin: "input",
      redirectStdout: "/out",
      redirectStderr: "/err",
      insecureRootCapabilities: true,
    });
    expect(p.lastType).toEqual({ kind: "number" });
    const ctx = { cwd: "/", hostEnv: {}, mod: { rootDir: "/" } };
    const bad = new Map<string, string | string[]>([
      ["args", ["true"]],
      ["expect", "MAYBE"],
    ]);
    expect(() => prepareArgs(exec!.callable.params, bad, "with-exec", ctx)).toThrow(
      '--expect must be one of SUCCESS, FAILURE, ANY, got "MAYBE"',
    );
    const d = planCall(
      [
        "build",
        "with-new-directory",
        "--path=sub",
        "filter",
        "--exclude=*.log",
        "--include=src",
        "entries",
      ],
      sig,
      noGlobals,
    );
    expect(d.steps.map((s) => s.callable.cliName)).toEqual([
      "build",
      "with-new-directory",
      "filter",
      "entries",
    ]);
    expect(Object.fromEntries(d.steps[2]?.values ?? [])).toEqual({
      exclude: ["*.log"],
      include: ["src"],
    });
  });

  it("reads gantry call's -o/--output and --json before the function, after it, and in the chain", () => {
    const read = (tokens: string[]) => {
      const result: ResultOptions = { json: false };
      planCall(tokens, sig, callFlagHook(defaultGlobals(readEnv({ PATH: "/bin" })), result));
      return result;
    };
    expect(read(["-o", "./out", "--json", "build"])).toEqual({ output: "./out", json: true });
    expect(read(["build", "--output=dist", "entries", "--json=false"])).toEqual({
      output: "dist",
      json: false,
    });
    expect(() => read(["-o", "a", "build", "-o", "b"])).toThrow("-o was given twice");
    expect(() => read(["build", "-o"])).toThrow("-o needs a path");
  });

  it("says an unknown flag before the function is neither the constructor's nor gantry call's, listing call's", () => {
    expect(() => planCall(["--jsn", "build"], sig, noGlobals)).toThrow(
      /^unknown flag --jsn: it is neither a flag of ci's constructor \(its flags are --node\) nor of gantry call, whose flags are -o\/--output, --json, -m\/--mod, --runtime.* Did you mean --json\?$/,
    );
    // after the function, the function's flags are what is listed, as before
    expect(() => planCall(["build", "--jsn"], sig, noGlobals)).toThrow(
      "unknown flag --jsn for function build: its flags are --node.",
    );
  });
});
