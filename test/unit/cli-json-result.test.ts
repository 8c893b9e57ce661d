import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { resultJson } from "../../src/cli/call/json-result.js";
import { checkOutputPath } from "../../src/cli/call/deliver-result.js";
import type { ModuleSignature } from "../../src/module/signature.js";

// Stand-ins for the SDK's classes: only instanceof and the readers the JSON calls matter here.
class Container {}
class Directory {
  async entries() {
    return ["a", "b"];
  }
  async digest() {
    return "sha256:0";
  }
}
class File {
  async contents(): Promise<string> {
    throw new Error("contents must not be read: a file may be binary");
  }
  async size() {
    return 3;
  }
  async name() {
    return "x.bin";
  }
  async digest() {
    return "sha256:1";
  }
}
class Secret {
  async name() {
    return "token";
  }
}
class Service {}
class CacheVolume {}
const sdk = { Container, Directory, File, Secret, Service, CacheVolume } as never;

class Release {
  version = "1.0";
  tags = ["a"];
  image = new Container();
  notes() {
    return "n";
  }
}
const sig: ModuleSignature = {
  schema: 1,
  moduleName: "m",
  mainObject: "M",
  warnings: [],
  objects: [
    {
      name: "Release",
      exported: true,
      file: "index.ts",
      constructorParams: [],
      functions: [
        { name: "version", kind: "field", params: [], returns: { kind: "string" } },
        {
          name: "tags",
          kind: "field",
          params: [],
          returns: { kind: "list", of: { kind: "string" } },
        },
        { name: "image", kind: "field", params: [], returns: { kind: "core", name: "Container" } },
        { name: "notes", kind: "method", params: [], returns: { kind: "string" } },
      ],
    },
  ],
};
const ctx = { cwd: "/" };

describe("resultJson (--json)", () => {
  it("gives scalars and lists as JSON values, and void as null", async () => {
    expect(await resultJson("hi\n", sdk, sig, ctx)).toBe("hi\n");
    expect(await resultJson(3, sdk, sig, ctx)).toBe(3);
    expect(await resultJson(["a", 1, true], sdk, sig, ctx)).toEqual(["a", 1, true]);
    expect(await resultJson(undefined, sdk, sig, ctx)).toBeNull();
  });

  it("gives a module object as its type and simple fields, never its functions or object fields", async () => {
    expect(await resultJson(new Release(), sdk, sig, ctx)).toEqual({
      _type: "Release",
      version: "1.0",
      tags: ["a"],
    });
    expect(await resultJson([new Release()], sdk, sig, ctx)).toHaveLength(1);
  });

  it("gives SDK objects as their type and readers, leaving out a file's contents and a secret's value", async () => {
    expect(await resultJson(new Directory(), sdk, sig, ctx)).toEqual({
      _type: "Directory",
      entries: ["a", "b"],
      digest: "sha256:0",
    });
    expect(await resultJson(new File(), sdk, sig, ctx)).toEqual({
      _type: "File",
      size: 3,
      name: "x.bin",
      digest: "sha256:1",
    });
    expect(await resultJson(new Secret(), sdk, sig, ctx)).toEqual({
      _type: "Secret",
      name: "token",
    });
    expect(await resultJson({ dir: new Directory(), n: 1 }, sdk, sig, ctx)).toEqual({
      dir: { _type: "Directory", entries: ["a", "b"], digest: "sha256:0" },
      n: 1,
    });
  });
});

describe("checkOutputPath (-o)", () => {
  it("refuses a path under a file, and takes a missing or existing folder", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-o-check-"));
    writeFileSync(path.join(dir, "f"), "x");
    expect(() => checkOutputPath("f/out", dir)).toThrow(
      `cannot save the result to ${path.join(dir, "f/out")}: ${path.join(dir, "f")} is a file, not a directory`,
    );
    expect(() => checkOutputPath("f/deeper/out", dir)).toThrow("is a file, not a directory");
    expect(() => checkOutputPath("new/dirs/out", dir)).not.toThrow();
    expect(() => checkOutputPath("out.txt", dir)).not.toThrow();
  });
});
